/**
 * `RsppPlatform`: the whole RSPP deployment of one environment, composed from the five constructs
 * and wired through their typed properties (no name is guessed twice):
 *
 *   MtlsBaseline ─► AuthorityLeaseStore ─► RsppControlPlane ─► RsppRuntime ─► ObservabilityStack
 *
 * Flows declared here (each becomes NetworkPolicies on both ends, via `tls.flows`):
 *   control plane → lease store (client port), runtime → lease store (client port),
 *   runtime → control-plane API, etcd ↔ etcd (peer), Prometheus → every metrics port,
 *   runtime → the LiveKit namespace (signalling 7880/TCP, RTC 7881/TCP, the env's UDP media range;
 *   egress only: LiveKit's namespace is the Terraform stack's), and, only when the env sets
 *   `livekit.nodeCidrs`, runtime → those node CIDRs on the same ports (`LiveKitNodeEgress`, the one
 *   RSPP-NET-002 exemption: LiveKit's host-network pods are not selectable on common CNIs).
 *
 * `envs/` builds one per env; a platform team can build it in its own Chart with its own
 * namespace, names and overrides (see `RsppPlatformProps`):
 *
 * ```ts
 * const chart = new Chart(app, 'voice', { namespace: 'voice-prod' });
 * new RsppPlatform(chart, 'rspp', {
 *   env: prod,
 *   namespace: 'voice-prod',
 *   instance: 'voice',
 *   names: { runtime: 'voice-runtime' },
 *   sessionClients: [{ podLabels: { app: 'voice-gateway' } }],
 * });
 * ```
 *
 * Or compose the constructs directly (architecture §4) when the defaults do not fit.
 */
import { Construct } from 'constructs';
import type { EnvironmentConfig, LeaseStoreEnvConfig } from '../envs/environment-config';
import { LIVEKIT_PORTS } from '../envs/livekit';
import { clusterFlavourOf, storageClassOf } from '../envs/cluster-flavour';
import { bytesOf, cpuMillis } from './common/quantities';
import { AuthorityLeaseStore } from './authority-lease-store';
import { IssuedCertificate, MtlsBaseline, NamespaceQuota } from './mtls-baseline';
import { externalPeer, FlowPeerSelector, IFlowEndpoint, NetworkFlow } from './network-flows';
import { ObservabilityStack } from './observability-stack';
import { declareExternalRefs } from './policy/external-refs';
import { RsppControlPlane } from './rspp-control-plane';
import { DEFAULT_RUNTIME_NAME, RsppRuntime } from './rspp-runtime';
import { isDnsLabel } from './common/kubernetes-names';
import { allPodsOfNamespace, DnsResolvers, PeerSelector, peerInNamespace, PolicyPort } from './common/network-policy';
import { LiveKitNodeEgress } from './livekit-node-egress';

export interface RsppPlatformNames {
  /** @default 'rspp-runtime' */
  readonly runtime?: string;
  /** @default 'rspp-control-plane' */
  readonly controlPlane?: string;
  /** @default 'rspp-etcd' */
  readonly leaseStore?: string;
}

export interface RsppPlatformProps {
  /** The environment: every sizing, image and posture choice comes from here. */
  readonly env: EnvironmentConfig;
  /**
   * Namespace of the platform (created by the baseline).
   * @default env.namespace
   */
  readonly namespace?: string;
  /**
   * `app.kubernetes.io/instance` of every object.
   * @default `rspp-${env.name}`
   */
  readonly instance?: string;
  /** Object names of the workloads. @default - see `RsppPlatformNames` */
  readonly names?: RsppPlatformNames;
  /**
   * Namespace ceilings.
   * @default - derived from the env: every workload at its maximum scale plus one surge pod, +25%
   */
  readonly quota?: NamespaceQuota;
  /**
   * Peers allowed to open sessions on the runtime.
   * @default - RsppRuntime's default (pods labelled `rspp.io/session-client: "true"` in the namespace)
   */
  readonly sessionClients?: readonly PeerSelector[];
  /**
   * Where Prometheus runs (for the scrape NetworkPolicies).
   * @default - ObservabilityStack's default (`monitoring` namespace)
   */
  readonly prometheusPeer?: Required<FlowPeerSelector>;
  /**
   * External lease store only: namespace and pod labels of the external etcd, so client egress is allowed.
   * @default - `env.leaseStore.externalPeer` (its namespace by `kubernetes.io/metadata.name`, its pod labels)
   */
  readonly externalLeaseStorePeer?: Required<FlowPeerSelector>;
}

/** Where the runtime's own certificate (`runtime-tls`: `ca.crt`, `tls.crt`, `tls.key`) is mounted (defined by `RsppRuntime`). */
export { RUNTIME_TLS_MOUNT_PATH } from './rspp-runtime';

/** Flow name of the LiveKit server (policy `allow-egress-runtime-to-livekit`). */
export const LIVEKIT_FLOW_NAME = 'livekit';

/**
 * The LiveKit server as a flow endpoint: every pod of its namespace (installed by the Terraform
 * stack from the upstream chart, whose pod labels are not ours), selected by namespace name.
 */
export function liveKitEndpoint(env: EnvironmentConfig): IFlowEndpoint {
  const namespace = env.livekit.namespace;
  if (typeof namespace !== 'string' || !isDnsLabel(namespace)) {
    throw new Error(`RsppPlatform: env ${env.name}: livekit.namespace ${JSON.stringify(namespace)} is not a namespace name; set it (default "livekit", envs/defaults.ts)`);
  }
  return externalPeer(LIVEKIT_FLOW_NAME, allPodsOfNamespace(namespace));
}

/** The LiveKit server's ports: signalling 7880/TCP, RTC 7881/TCP and the env's UDP media range (one `endPort` range). */
export function liveKitPorts(env: EnvironmentConfig): PolicyPort[] {
  const { udpPortRangeStart, udpPortRangeEnd } = env.livekit;
  return [
    { port: LIVEKIT_PORTS.signal, protocol: 'TCP' },
    { port: LIVEKIT_PORTS.rtcTcp, protocol: 'TCP' },
    { port: udpPortRangeStart, endPort: udpPortRangeEnd, protocol: 'UDP' },
  ];
}

/** The external etcd named by the env (`leaseStore.externalPeer`) as a NetworkPolicy peer; undefined when the env names none. */
export function externalLeaseStorePeerOf(leaseStore: LeaseStoreEnvConfig): Required<FlowPeerSelector> | undefined {
  const peer = leaseStore.externalPeer;
  return peer === undefined ? undefined : peerInNamespace(peer.namespace, peer.podLabels);
}

/** Headroom on top of the computed peak usage. */
const QUOTA_HEADROOM = 1.25;

/**
 * Namespace quota from the env: runtime at maxReplicas + 1 surge, control plane at replicas + 1
 * surge, every etcd member, +25%; pods likewise plus room for jobs; one PVC per member.
 */
export function quotaForEnvironment(env: EnvironmentConfig): NamespaceQuota {
  const managed = env.leaseStore.mode === 'managed';
  const workloads = [
    { count: env.runtime.maxReplicas + 1, r: env.runtime.resources },
    { count: env.controlPlane.replicas + 1, r: env.controlPlane.resources },
    ...(managed ? [{ count: env.leaseStore.members, r: env.leaseStore.resources }] : []),
  ];
  const sum = (f: (w: (typeof workloads)[number]) => number) => workloads.reduce((acc, w) => acc + w.count * f(w), 0);
  const cpu = Math.ceil((sum((w) => cpuMillis(w.r.cpuRequest)!) * QUOTA_HEADROOM) / 100) * 100;
  const mi = (bytes: number) => `${Math.ceil((bytes * QUOTA_HEADROOM) / 2 ** 20 / 64) * 64}Mi`;
  const pods = Math.ceil(workloads.reduce((acc, w) => acc + w.count, 0) * QUOTA_HEADROOM) + 2;
  const members = managed ? env.leaseStore.members : 0;
  return {
    requestsCpu: `${cpu}m`,
    requestsMemory: mi(sum((w) => bytesOf(w.r.memoryRequest)!)),
    limitsMemory: mi(sum((w) => bytesOf(w.r.memoryLimit)!)),
    pods,
    persistentVolumeClaims: Math.max(1, members),
    requestsStorage: mi(Math.max(1, members) * bytesOf(env.leaseStore.storageSize)!),
  };
}

export class RsppPlatform extends Construct {
  public readonly tls: MtlsBaseline;
  public readonly leases: AuthorityLeaseStore;
  public readonly controlPlane: RsppControlPlane;
  public readonly runtime: RsppRuntime;
  public readonly observability: ObservabilityStack;
  /** The runtime's own certificate (mTLS to the control plane). */
  public readonly runtimeCertificate: IssuedCertificate;
  /** runtime → LiveKit (signalling, RTC/TCP, UDP media range): the runtime is the LiveKit-connected media worker. */
  public readonly liveKitFlow: NetworkFlow;
  /**
   * runtime → LiveKit's node addresses on the LiveKit ports, exempted from RSPP-NET-002 with its reason.
   * @default - undefined unless `env.livekit.nodeCidrs` is set
   */
  public readonly liveKitNodeEgress?: LiveKitNodeEgress;

  public constructor(scope: Construct, id: string, props: RsppPlatformProps) {
    super(scope, id);
    const env = props.env;
    const namespace = props.namespace ?? env.namespace;
    const instance = props.instance ?? `rspp-${env.name}`;
    const names = props.names ?? {};
    const dns = dnsResolversOf(env);

    this.tls = new MtlsBaseline(this, 'tls', {
      namespace,
      instance,
      version: env.version,
      issuer: env.tls.issuer,
      caSecretName: env.tls.caSecretName,
      certificateDuration: env.tls.certificateDuration,
      renewBefore: env.tls.renewBefore,
      quota: props.quota ?? quotaForEnvironment(env),
      dns,
    });

    const ls = env.leaseStore;
    this.leases = new AuthorityLeaseStore(this, 'leases', {
      tls: this.tls,
      environment: env.name,
      mode: ls.mode,
      name: names.leaseStore,
      leaseTtlSeconds: ls.leaseTtlSeconds,
      ...(ls.mode === 'managed'
        ? { members: ls.members, image: ls.image, storageSize: ls.storageSize, storageClassName: ls.storageClassName ?? storageClassOf(env), resources: ls.resources, zoneCount: env.zones?.length }
        : { endpoints: ls.endpoints, tlsSecretName: ls.tlsSecretName, externalPeer: props.externalLeaseStorePeer ?? externalLeaseStorePeerOf(ls) }),
    });

    this.controlPlane = new RsppControlPlane(this, 'control-plane', {
      tls: this.tls,
      leases: this.leases,
      name: names.controlPlane,
      image: env.controlPlane.image,
      ...(env.images?.pullSecrets ? { imagePullSecrets: env.images.pullSecrets } : {}),
      replicas: env.controlPlane.replicas,
      highAvailability: env.highAvailability,
      resources: env.controlPlane.resources,
      bundleDigest: env.pipeline.bundleDigest,
      region: env.authority.region,
    });

    // Issued before the runtime exists so the runtime mounts it through its typed `tls` prop; the
    // Service name it certifies is the runtime's (same default, `DEFAULT_RUNTIME_NAME`).
    this.runtimeCertificate = this.tls.issueCertificate({
      component: 'runtime',
      dnsNames: this.tls.serviceDnsNames(names.runtime ?? DEFAULT_RUNTIME_NAME),
    });
    this.runtime = new RsppRuntime(this, 'runtime', {
      name: names.runtime,
      namespace,
      instance,
      version: env.version,
      image: env.runtime.image,
      ...(env.images?.pullSecrets ? { imagePullSecrets: env.images.pullSecrets } : {}),
      bundleDigest: env.pipeline.bundleDigest,
      profile: env.pipeline.profile,
      minReplicas: env.runtime.minReplicas,
      maxReplicas: env.runtime.maxReplicas,
      targetCpuUtilization: env.runtime.targetCpuUtilization,
      highAvailability: env.highAvailability,
      drainSeconds: env.runtime.drainSeconds,
      resources: env.runtime.resources,
      region: env.authority.region,
      leaseStore: {
        endpoints: this.leases.clientEndpoints,
        tlsSecretName: this.leases.clientTlsSecretName,
        leaseTtlSeconds: this.leases.leaseTtlSeconds,
      },
      tls: this.runtimeCertificate,
      controlPlaneUrl: this.controlPlane.apiUrl,
      sessionClients: props.sessionClients,
      dns,
    });
    this.leases.grantClient(this.runtime);
    this.controlPlane.grantApiClient(this.runtime);
    this.liveKitFlow = this.tls.flows.allow(
      this.runtime,
      liveKitEndpoint(env),
      liveKitPorts(env),
      'the runtime is the LiveKit-connected media worker: signalling, RTC over TCP and the UDP media range of the LiveKit server',
    );
    // Opt-in (env.livekit.nodeCidrs): LiveKit's host-network pods at their node addresses, on the same ports.
    if (env.livekit.nodeCidrs !== undefined) {
      this.liveKitNodeEgress = new LiveKitNodeEgress(this, 'livekit-node-egress', {
        namespace,
        labels: this.tls.labelsFor('network'),
        from: this.runtime,
        nodeCidrs: env.livekit.nodeCidrs,
        ports: liveKitPorts(env),
      });
    }
    const leaseRefs = this.leases.clientConnection().externalRefs;
    if (leaseRefs.length > 0) declareExternalRefs(this.runtime.deployment, leaseRefs);

    this.observability = new ObservabilityStack(this, 'observability', {
      tls: this.tls,
      targets: [this.runtime.scrapeTarget, this.controlPlane.scrapeTarget, ...(this.leases.scrapeTarget ? [this.leases.scrapeTarget] : [])],
      prometheusReleaseLabel: env.observability.prometheusReleaseLabel,
      prometheusPeer: props.prometheusPeer,
    });
  }
}

/** The env's DNS resolvers, from its cluster flavour's data (kube-dns pods + resolver addresses). */
export function dnsResolversOf(env: EnvironmentConfig): DnsResolvers {
  const flavour = clusterFlavourOf(env);
  return {
    pods: flavour.dnsPods.map((p) => peerInNamespace(p.namespace, p.podLabels)),
    addresses: flavour.dnsAddresses,
  };
}
