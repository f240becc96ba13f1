/**
 * `AuthorityLeaseStore`: where runtime authority leases live (architecture §3: one etcd per env).
 *
 * `managed` mode: an etcd StatefulSet in the platform namespace — odd member count (≥3 in prod),
 * a headless peer Service and a client Service, one PVC per member, mTLS on both the peer and the
 * client port with certificates from `MtlsBaseline` (`--client-cert-auth --peer-client-cert-auth`),
 * a quorum-aware PodDisruptionBudget, one member per node, and NetworkPolicies (via the flow
 * registry) that admit only the peers and the clients granted with `grantClient`.
 *
 * `external` mode: an etcd run elsewhere; the construct only records its endpoints and the existing
 * client TLS Secret (declared external on every workload that mounts it).
 *
 * Either way, clients get everything they need from `clientConnection()`: the env vars the runtime
 * reads (`RUNTIME_ENV`), and the TLS Secret volume and mount.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { EnvName, LeaseStoreEnvConfig, ResourceSpec } from '../envs/environment-config';
import { ETCD_IMAGE } from '../envs/pins';
import {
  DEFAULT_LEASE_TTL_SECONDS,
  ETCD_CLIENT_PORT,
  ETCD_PEER_PORT,
  PORT_NAMES,
  RUNTIME_ENV,
} from '../runtime/contracts/runtime-interface';
import { assertPinnedImage } from './common/image';
import { assertObjectName } from './common/kubernetes-names';
import { selectorLabels } from './common/labels';
import { assertPeer } from './common/network-policy';
import { httpGetProbe } from './common/probes';
import { containerResources, isPositiveQuantity } from './common/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './common/security-context';
import { HOSTNAME_TOPOLOGY_KEY, quorumMinAvailable, tmpVolume, ZONE_TOPOLOGY_KEY } from './common/workload';
import { MtlsBaseline } from './mtls-baseline';
import { FlowPeerSelector, IFlowEndpoint } from './network-flows';
import type { ScrapeTarget } from './observability-stack';
import { RUNTIME_ETCD_TLS_DIR } from './rspp-runtime';
import type { ExternalRef } from './policy/external-refs';

/** Port etcd serves `/health` and `/metrics` on, in plain HTTP (`--listen-metrics-urls`), so probes and Prometheus need no client certificate. */
export const ETCD_METRICS_PORT = 2381;
export const ETCD_METRICS_PORT_NAME = 'metrics';
/** Where a client's etcd TLS Secret is mounted (`RSPP_ETCD_TLS_DIR`): the same directory for every client. */
export const ETCD_CLIENT_TLS_MOUNT_PATH = RUNTIME_ETCD_TLS_DIR;
/** uid etcd runs as (the upstream image has no user of its own; any non-root uid works with fsGroup). */
export const ETCD_UID = 10001;

const DATA_MOUNT_PATH = '/var/lib/etcd';
const PEER_TLS_MOUNT_PATH = '/etc/etcd/tls';

export interface AuthorityLeaseStoreProps {
  /** The platform baseline: namespace, labels, certificates, flow registry. */
  readonly tls: MtlsBaseline;
  /** @default 'managed' */
  readonly mode?: LeaseStoreEnvConfig['mode'];
  /**
   * Environment, for the posture rules: prod needs at least 3 members.
   * @default - no env-specific floor
   */
  readonly environment?: EnvName;
  /**
   * Name of the StatefulSet and client Service; the peer Service is `<name>-peers`.
   * @default 'rspp-etcd'
   */
  readonly name?: string;
  /**
   * etcd members (managed mode). Odd, so a quorum survives ⌊(n-1)/2⌋ failures.
   * @default 3
   */
  readonly members?: number;
  /**
   * etcd image pinned by digest (managed mode).
   * @default ETCD_IMAGE (envs/pins.ts)
   */
  readonly image?: string;
  /**
   * PVC size per member (managed mode).
   * @default '10Gi'
   */
  readonly storageSize?: string;
  /**
   * StorageClass of member PVCs (managed mode).
   * @default - the cluster default StorageClass
   */
  readonly storageClassName?: string;
  /** @default { cpuRequest: '200m', memoryRequest: '512Mi', memoryLimit: '1Gi' } */
  readonly resources?: ResourceSpec;
  /**
   * Zones the cluster declares (`env.zones`). With 3 or more, the zone spread of the members is strict
   * (`DoNotSchedule`). @default 0: best effort (`ScheduleAnyway`)
   */
  readonly zoneCount?: number;
  /**
   * TTL of runtime authority leases, passed to clients.
   * @default DEFAULT_LEASE_TTL_SECONDS
   */
  readonly leaseTtlSeconds?: number;
  /** External mode: client URLs, `https://host:port`. */
  readonly endpoints?: readonly string[];
  /** External mode: existing Secret with `ca.crt`, `tls.crt`, `tls.key` for clients. */
  readonly tlsSecretName?: string;
  /**
   * External mode: how NetworkPolicies name the external etcd (namespace and pod labels), so clients'
   * egress can be allowed. Required in external mode: default-deny would otherwise cut clients off.
   */
  readonly externalPeer?: Required<FlowPeerSelector>;
}

/** What a client workload adds to its pod to reach the lease store. */
export interface LeaseStoreClientConnection {
  readonly env: k8s.EnvVar[];
  readonly volume: k8s.Volume;
  readonly volumeMount: k8s.VolumeMount;
  /** Refs to declare external on the client workload (`declareExternalRefs`), empty when all exist in the output. */
  readonly externalRefs: ExternalRef[];
}

const HTTPS_URL = /^https:\/\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?):([0-9]{1,5})$/;

export class AuthorityLeaseStore extends Construct implements IFlowEndpoint {
  public readonly mode: 'managed' | 'external';
  /** etcd client URLs clients connect to (one per member in managed mode). */
  public readonly clientEndpoints: readonly string[];
  /** Secret clients mount for mTLS to etcd (`ca.crt`, `tls.crt`, `tls.key`). */
  public readonly clientTlsSecretName: string;
  /** True when `clientTlsSecretName` is not created by this output (external mode). */
  public readonly clientTlsSecretIsExternal: boolean;
  /** Members (managed mode); 0 in external mode. */
  public readonly members: number;
  /** Client Service name (managed mode). */
  public readonly clientServiceName?: string;
  /** Headless peer Service name (managed mode). */
  public readonly peerServiceName?: string;
  /** Lease TTL clients should use. */
  public readonly leaseTtlSeconds: number;
  /** Pod labels of the etcd members (managed mode); the external peer's labels otherwise. */
  public readonly flowPeer: FlowPeerSelector;
  public readonly flowName = 'lease-store';
  /** etcd's plain-HTTP metrics port, for `ObservabilityStack` (managed mode only). */
  public readonly scrapeTarget?: ScrapeTarget;
  private readonly tls: MtlsBaseline;
  private readonly clientPorts: number[];
  private readonly grantedClients = new Set<string>();

  public constructor(scope: Construct, id: string, props: AuthorityLeaseStoreProps) {
    super(scope, id);
    const where = `AuthorityLeaseStore(${id})`;
    this.tls = props.tls;
    this.mode = props.mode ?? 'managed';
    if (this.mode !== 'managed' && this.mode !== 'external') {
      throw new Error(`${where}: props.mode must be 'managed' or 'external', got ${JSON.stringify(this.mode)}`);
    }
    this.leaseTtlSeconds = props.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    if (!Number.isInteger(this.leaseTtlSeconds) || this.leaseTtlSeconds < 1) {
      throw new Error(`${where}: props.leaseTtlSeconds must be a whole number of seconds >= 1, got ${this.leaseTtlSeconds}`);
    }

    if (this.mode === 'external') {
      for (const prop of ['members', 'image', 'storageSize', 'storageClassName'] as const) {
        if (props[prop] !== undefined) throw new Error(`${where}: props.${prop} applies to managed mode only; remove it or set props.mode 'managed'`);
      }
      const endpoints = props.endpoints ?? [];
      if (endpoints.length === 0) throw new Error(`${where}: props.endpoints must list the external etcd client URLs (https://host:2379) in external mode`);
      const ports = endpoints.map((url, i) => {
        const m = HTTPS_URL.exec(url);
        if (!m) throw new Error(`${where}: props.endpoints[${i}] "${url}" must be https://host:port (mTLS is mandatory)`);
        return Number(m[3]);
      });
      if (props.tlsSecretName === undefined) throw new Error(`${where}: props.tlsSecretName (existing Secret with ca.crt, tls.crt, tls.key) is required in external mode`);
      assertObjectName(where, 'tlsSecretName', props.tlsSecretName, 253);
      if (props.externalPeer === undefined) {
        throw new Error(`${where}: props.externalPeer (namespace and pod labels of the external etcd) is required in external mode, so client egress can be allowed past default-deny`);
      }
      assertPeer(where, 'props.externalPeer', props.externalPeer);
      this.clientEndpoints = [...endpoints];
      this.clientTlsSecretName = props.tlsSecretName;
      this.clientTlsSecretIsExternal = true;
      this.members = 0;
      this.flowPeer = props.externalPeer;
      this.clientPorts = [...new Set(ports)];
      return;
    }

    if (props.endpoints !== undefined || props.tlsSecretName !== undefined || props.externalPeer !== undefined) {
      throw new Error(`${where}: props.endpoints, props.tlsSecretName and props.externalPeer apply to external mode only; remove them or set props.mode 'external'`);
    }
    const members = props.members ?? 3;
    if (!Number.isInteger(members) || members < 1) throw new Error(`${where}: props.members must be a positive integer, got ${members}`);
    if (members % 2 === 0) {
      throw new Error(`${where}: props.members is ${members}; use an odd number (${members - 1} or ${members + 1}): an even member count tolerates no more failures than one fewer member`);
    }
    if (props.environment === 'prod' && members < 3) {
      throw new Error(`${where}: props.members is ${members} in prod; prod needs at least 3 etcd members so a quorum survives one failure`);
    }
    const name = assertObjectName(where, 'name', props.name ?? 'rspp-etcd', 52); // StatefulSet pod names add '-<ordinal>' and a hash label
    const image = assertPinnedImage(where, 'image', props.image ?? ETCD_IMAGE);
    const storageSize = props.storageSize ?? '10Gi';
    if (!isPositiveQuantity(storageSize)) throw new Error(`${where}: props.storageSize ${JSON.stringify(storageSize)} is not a positive Kubernetes quantity (e.g. "10Gi")`);
    if (props.storageClassName !== undefined) assertObjectName(where, 'storageClassName', props.storageClassName, 253);
    const resources = containerResources(props.resources ?? { cpuRequest: '200m', memoryRequest: '512Mi', memoryLimit: '1Gi' }, where);

    const tls = props.tls;
    const ns = tls.namespace;
    const component = 'lease-store';
    const labels = tls.labelsFor(component, where, 'etcd');
    const selector = selectorLabels({ name: 'etcd', instance: tls.instance, component }, where);
    const peerService = `${name}-peers`;
    const peerDomain = `${peerService}.${ns}.svc`;
    const memberHost = (i: number) => `${name}-${i}.${peerDomain}`;

    this.members = members;
    this.clientServiceName = name;
    this.peerServiceName = peerService;
    this.flowPeer = { podLabels: selector };
    this.clientPorts = [ETCD_CLIENT_PORT];
    this.scrapeTarget = { name: 'etcd', workload: this, serviceLabels: selector, portName: ETCD_METRICS_PORT_NAME, port: ETCD_METRICS_PORT };
    this.clientEndpoints = Array.from({ length: members }, (_, i) => `https://${memberHost(i)}:${ETCD_CLIENT_PORT}`);

    // One certificate identifies the members (peer port and client port, both server and client auth);
    // another, shared by clients, is what they present to etcd.
    const peerCert = tls.issueCertificate({
      component: 'etcd-peer',
      dnsNames: [...tls.serviceDnsNames(peerService, { includePods: true }), ...tls.serviceDnsNames(name)],
    });
    const clientCert = tls.issueCertificate({
      component: 'etcd-client',
      commonName: `${tls.instance}-etcd-client`,
      usages: ['digital signature', 'key encipherment', 'client auth'],
    });
    this.clientTlsSecretName = clientCert.secretName;
    this.clientTlsSecretIsExternal = false;

    const serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name, namespace: ns, labels },
      automountServiceAccountToken: false,
    });
    new k8s.KubeService(this, 'peer-service', {
      metadata: { name: peerService, namespace: ns, labels },
      spec: {
        clusterIp: 'None',
        // Members must resolve each other before they are ready, or the cluster never forms.
        publishNotReadyAddresses: true,
        selector,
        ports: [
          { name: PORT_NAMES.etcdPeer, port: ETCD_PEER_PORT, targetPort: k8s.IntOrString.fromString(PORT_NAMES.etcdPeer) },
          { name: PORT_NAMES.etcdClient, port: ETCD_CLIENT_PORT, targetPort: k8s.IntOrString.fromString(PORT_NAMES.etcdClient) },
        ],
      },
    });
    new k8s.KubeService(this, 'client-service', {
      metadata: { name, namespace: ns, labels },
      spec: {
        selector,
        ports: [
          { name: PORT_NAMES.etcdClient, port: ETCD_CLIENT_PORT, targetPort: k8s.IntOrString.fromString(PORT_NAMES.etcdClient) },
          { name: ETCD_METRICS_PORT_NAME, port: ETCD_METRICS_PORT, targetPort: k8s.IntOrString.fromString(ETCD_METRICS_PORT_NAME) },
        ],
      },
    });

    const initialCluster = Array.from({ length: members }, (_, i) => `${name}-${i}=https://${memberHost(i)}:${ETCD_PEER_PORT}`).join(',');
    const t = `${PEER_TLS_MOUNT_PATH}`;
    const args = [
      '--name=$(POD_NAME)',
      `--data-dir=${DATA_MOUNT_PATH}/data`,
      `--listen-peer-urls=https://0.0.0.0:${ETCD_PEER_PORT}`,
      `--listen-client-urls=https://0.0.0.0:${ETCD_CLIENT_PORT}`,
      `--listen-metrics-urls=http://0.0.0.0:${ETCD_METRICS_PORT}`,
      `--initial-advertise-peer-urls=https://$(POD_NAME).${peerDomain}:${ETCD_PEER_PORT}`,
      `--advertise-client-urls=https://$(POD_NAME).${peerDomain}:${ETCD_CLIENT_PORT}`,
      `--initial-cluster=${initialCluster}`,
      '--initial-cluster-state=new',
      `--initial-cluster-token=${name}-${ns}`,
      '--client-cert-auth',
      `--trusted-ca-file=${t}/ca.crt`,
      `--cert-file=${t}/tls.crt`,
      `--key-file=${t}/tls.key`,
      '--peer-client-cert-auth',
      `--peer-trusted-ca-file=${t}/ca.crt`,
      `--peer-cert-file=${t}/tls.crt`,
      `--peer-key-file=${t}/tls.key`,
      '--auto-compaction-mode=periodic',
      '--auto-compaction-retention=1h',
    ];
    const tmp = tmpVolume();
    const ha = members > 1;
    const labelSelector: k8s.LabelSelector = { matchLabels: { ...selector } };
    new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name, namespace: ns, labels },
      spec: {
        serviceName: peerService,
        replicas: members,
        // All members start together: with OrderedReady, member 0 waits for a quorum that is never scheduled.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: labelSelector,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: serviceAccount.name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext({ runAsUser: ETCD_UID }, where),
            terminationGracePeriodSeconds: 30,
            ...(ha
              ? {
                  affinity: {
                    // Two members on one node would lose quorum together: one member per node, strictly.
                    podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOSTNAME_TOPOLOGY_KEY, labelSelector }] },
                  },
                  // Strict across >= 3 declared zones (a zone outage then costs at most a minority); best effort otherwise.
                  topologySpreadConstraints: [{ topologyKey: ZONE_TOPOLOGY_KEY, maxSkew: 1, whenUnsatisfiable: (props.zoneCount ?? 0) >= 3 ? 'DoNotSchedule' : 'ScheduleAnyway', labelSelector }],
                }
              : {}),
            containers: [{
              name: 'etcd',
              image,
              command: ['etcd'],
              args,
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              ports: [
                { name: PORT_NAMES.etcdClient, containerPort: ETCD_CLIENT_PORT, protocol: 'TCP' },
                { name: PORT_NAMES.etcdPeer, containerPort: ETCD_PEER_PORT, protocol: 'TCP' },
                { name: ETCD_METRICS_PORT_NAME, containerPort: ETCD_METRICS_PORT, protocol: 'TCP' },
              ],
              // Liveness asks only "is this member serving" (serializable, NOSPACE tolerated: restarting does not free space);
              // readiness asks for a linearizable read, which needs the quorum.
              startupProbe: httpGetProbe('/health?exclude=NOSPACE&serializable=true', ETCD_METRICS_PORT_NAME, { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 60 }),
              livenessProbe: httpGetProbe('/health?exclude=NOSPACE&serializable=true', ETCD_METRICS_PORT_NAME, { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 8 }),
              readinessProbe: httpGetProbe('/health?serializable=false', ETCD_METRICS_PORT_NAME, { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 }),
              resources,
              securityContext: restrictedContainerSecurityContext({ runAsUser: ETCD_UID }, where),
              volumeMounts: [
                { name: 'data', mountPath: DATA_MOUNT_PATH },
                { name: 'peer-tls', mountPath: PEER_TLS_MOUNT_PATH, readOnly: true },
                tmp.mount,
              ],
            }],
            volumes: [
              { name: 'peer-tls', secret: { secretName: peerCert.secretName, defaultMode: 0o440 } },
              tmp.volume,
            ],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(props.storageClassName !== undefined ? { storageClassName: props.storageClassName } : {}),
            resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
          },
        }],
      },
    });

    if (ha) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name, namespace: ns, labels },
        spec: {
          // Voluntary disruptions may take down only the members above quorum.
          maxUnavailable: k8s.IntOrString.fromNumber(members - quorumMinAvailable(members)),
          selector: labelSelector,
        },
      });
    }

    tls.flows.allow(this, this, [ETCD_PEER_PORT, ETCD_CLIENT_PORT], 'etcd members replicate over the peer port and forward client requests');
  }

  /**
   * Allow `client` to reach the lease store's client port (NetworkPolicies on both ends in managed
   * mode, the client's egress in external mode). Idempotent per client.
   */
  public grantClient(client: IFlowEndpoint): void {
    if (this.grantedClients.has(client.flowName)) return;
    this.grantedClients.add(client.flowName);
    this.tls.flows.allow(client, this, this.clientPorts, `${client.flowName} holds authority leases in etcd (mTLS)`);
  }

  /** Flow names of the granted clients. */
  public get clients(): readonly string[] {
    return [...this.grantedClients];
  }

  /** Env vars, TLS volume and mount a client adds to its pod (names from `RUNTIME_ENV`). */
  public clientConnection(volumeName = 'etcd-client-tls'): LeaseStoreClientConnection {
    return {
      env: [
        { name: RUNTIME_ENV.leaseStore, value: 'etcd' },
        { name: RUNTIME_ENV.etcdEndpoints, value: this.clientEndpoints.join(',') },
        { name: RUNTIME_ENV.etcdTlsDir, value: ETCD_CLIENT_TLS_MOUNT_PATH },
        { name: RUNTIME_ENV.leaseTtlSeconds, value: String(this.leaseTtlSeconds) },
      ],
      volume: { name: volumeName, secret: { secretName: this.clientTlsSecretName, defaultMode: 0o440 } },
      volumeMount: { name: volumeName, mountPath: ETCD_CLIENT_TLS_MOUNT_PATH, readOnly: true },
      externalRefs: this.clientTlsSecretIsExternal ? [{ kind: 'Secret', name: this.clientTlsSecretName }] : [],
    };
  }
}
