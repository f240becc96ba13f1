/**
 * `RsppControlPlane`: bundle resolution, rollout state and admission for the runtime replicas.
 *
 * The same image as the runtime, started with the control-plane entrypoint. A Deployment (1/2/3
 * replicas by env; PDB, anti-affinity and topology spread when HA), a Service exposing the API and
 * admin ports, a dedicated ServiceAccount. It does not call the Kubernetes API (bundles are
 * immutable, referenced by digest and passed in; rollout state lives in the lease store), so it
 * gets no Role and no service-account token: the minimal RBAC is none.
 *
 * mTLS: its own certificate from `MtlsBaseline`, mounted at `CONTROL_PLANE_TLS_MOUNT_PATH` and named
 * by `RSPP_TLS_DIR`, so the API serves HTTPS and requires client certificates from the platform CA
 * (the admin port stays plain HTTP for probes and scraping); and the lease store's client TLS. Network: egress to the lease store, ingress on the API port only from
 * workloads granted with `grantApiClient`.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ResourceSpec } from '../envs/environment-config';
import { CONTROL_PLANE_IMAGE } from '../envs/pins';
import {
  ADMIN_PORT,
  CONTROL_PLANE_API_PORT,
  DRAIN_SECONDS_ENV,
  gracePeriodFor,
  MVP_PROFILE,
  PORT_NAMES,
  PRESTOP_SLEEP_SECONDS,
  RUNTIME_ENV,
} from '../runtime/contracts/runtime-interface';
import { assertPinnedImage, imagePullSecretsSpec } from './common/image';
import { assertObjectName } from './common/kubernetes-names';
import { selectorLabels } from './common/labels';
import { adminProbes } from './common/probes';
import { containerResources } from './common/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './common/security-context';
import { addPreStopSleep, spreadAcrossNodes, statelessMinAvailable, tmpVolume } from './common/workload';
import { AuthorityLeaseStore } from './authority-lease-store';
import { MtlsBaseline } from './mtls-baseline';
import { FlowPeerSelector, IFlowEndpoint } from './network-flows';
import type { IScrapeable, ScrapeTarget } from './observability-stack';
import { DRAIN_SECONDS_ANNOTATION } from './policy/policy-annotations';
import { declareExternalRefs } from './policy/external-refs';

/**
 * Default entrypoint of the control plane inside the runtime image (`runtime/control-plane/main.ts`,
 * compiled): absolute paths of the image layout (`runtime/image/README.md`: node at
 * `/usr/local/bin/node`, code under `/app/lib`; `dist/image/runtime.json` → `commands.controlPlane`),
 * so the process starts whatever the image's `WorkingDir` and `PATH` are.
 */
export const CONTROL_PLANE_COMMAND: readonly string[] = ['/usr/local/bin/node', '/app/lib/runtime/control-plane/main.js'];
/** Where the control plane's own certificate is mounted. */
export const CONTROL_PLANE_TLS_MOUNT_PATH = '/var/run/rspp/tls';
/** Seconds an in-flight API request may take on SIGTERM (requests are short; no turn runs here). */
export const CONTROL_PLANE_DRAIN_SECONDS = 10;

export interface RsppControlPlaneProps {
  /** The platform baseline: namespace, labels, certificates, flow registry. */
  readonly tls: MtlsBaseline;
  /** Where rollout state and authority leases live. */
  readonly leases: AuthorityLeaseStore;
  /**
   * Image, pinned by digest; the runtime image.
   * @default CONTROL_PLANE_IMAGE (envs/pins.ts)
   */
  readonly image?: string;
  /**
   * Secrets (type kubernetes.io/dockerconfigjson) the pods pull the image with, for a private
   * registry; created by the cluster owner, declared external in the output. @default none
   */
  readonly imagePullSecrets?: readonly string[];
  /**
   * Entrypoint inside the image.
   * @default CONTROL_PLANE_COMMAND
   */
  readonly command?: readonly string[];
  /**
   * Replicas. dev 1, stage 2, prod 3.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * PodDisruptionBudget, anti-affinity and topology spread. Needs replicas >= 2.
   * @default - true when replicas >= 2
   */
  readonly highAvailability?: boolean;
  /** @default { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi' } */
  readonly resources?: ResourceSpec;
  /**
   * Digest of the pipeline bundle the control plane resolves (`sha256:<64 hex>`).
   * @default - none; the control plane serves only bundles registered at runtime
   */
  readonly bundleDigest?: string;
  /**
   * Authority region (single-region posture).
   * @default - unset
   */
  readonly region?: string;
  /**
   * Name of the Deployment, Service and ServiceAccount.
   * @default 'rspp-control-plane'
   */
  readonly name?: string;
}

const BUNDLE_DIGEST = /^sha256:[0-9a-f]{64}$/;

export class RsppControlPlane extends Construct implements IFlowEndpoint, IScrapeable {
  public readonly name: string;
  public readonly serviceName: string;
  public readonly serviceAccountName: string;
  /**
   * In-cluster URL of the control-plane API, set on the runtime as `RSPP_CONTROL_PLANE_URL`. Always
   * `https`: the control plane always has its certificate (mounted, `RSPP_TLS_DIR`) and then serves
   * the API over mutual TLS (`runtime/control-plane/control-plane-service.ts`); its host is one of
   * the certificate's DNS names. Clients need a certificate from the same CA (`RSPP_TLS_DIR`).
   */
  public readonly apiUrl: string;
  public readonly apiPort = CONTROL_PLANE_API_PORT;
  public readonly replicas: number;
  /** Secret with the control plane's certificate. */
  public readonly tlsSecretName: string;
  /** Pod labels that select the control-plane pods. */
  public readonly selector: Readonly<Record<string, string>>;
  public readonly flowName = 'control-plane';
  public readonly flowPeer: FlowPeerSelector;
  /** The Deployment: a plain `ApiObject` with a `k8s.DeploymentSpec`, so the preStop `sleep` action survives synthesis. */
  public readonly deployment: ApiObject;
  /** The admin port's `/metrics`, for `ObservabilityStack`. */
  public readonly scrapeTarget: ScrapeTarget;
  private readonly tls: MtlsBaseline;
  private readonly apiClients = new Set<string>();

  public constructor(scope: Construct, id: string, props: RsppControlPlaneProps) {
    super(scope, id);
    const where = `RsppControlPlane(${id})`;
    const tls = props.tls;
    this.tls = tls;
    this.name = assertObjectName(where, 'name', props.name ?? 'rspp-control-plane', 47); // leaves room for ReplicaSet/pod suffixes
    const image = assertPinnedImage(where, 'image', props.image ?? CONTROL_PLANE_IMAGE);
    const pullSecrets = imagePullSecretsSpec(where, props.imagePullSecrets);
    const command = [...(props.command ?? CONTROL_PLANE_COMMAND)];
    if (command.length === 0 || command.some((c) => c.trim() === '')) throw new Error(`${where}: props.command must be a non-empty list of non-empty strings`);
    const replicas = props.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`${where}: props.replicas must be a positive integer, got ${replicas}`);
    const ha = props.highAvailability ?? replicas >= 2;
    if (ha && replicas < 2) throw new Error(`${where}: props.highAvailability needs props.replicas >= 2 (got ${replicas}); raise replicas or turn HA off`);
    if (props.bundleDigest !== undefined && !BUNDLE_DIGEST.test(props.bundleDigest)) {
      throw new Error(`${where}: props.bundleDigest "${props.bundleDigest}" must be sha256:<64 hex> (bundles are referenced by digest, never by a mutable name)`);
    }
    const resources = containerResources(props.resources ?? { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi' }, where);
    this.replicas = replicas;

    const ns = tls.namespace;
    const component = 'control-plane';
    const labels = tls.labelsFor(component, where);
    this.selector = selectorLabels({ name: `rspp-${component}`, instance: tls.instance, component }, where);
    this.flowPeer = { podLabels: this.selector };
    this.serviceName = this.name;
    this.serviceAccountName = this.name;
    this.scrapeTarget = { name: component, workload: this, serviceLabels: this.selector, portName: PORT_NAMES.admin, port: ADMIN_PORT };
    this.apiUrl = `https://${this.serviceName}.${ns}.svc:${CONTROL_PLANE_API_PORT}`;

    const cert = tls.issueCertificate({ component, dnsNames: tls.serviceDnsNames(this.serviceName) });
    this.tlsSecretName = cert.secretName;
    const leaseConnection = props.leases.clientConnection();
    props.leases.grantClient(this);

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: this.serviceAccountName, namespace: ns, labels },
      automountServiceAccountToken: false,
    });

    const tmp = tmpVolume();
    const env: k8s.EnvVar[] = [
      { name: RUNTIME_ENV.podName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: RUNTIME_ENV.namespace, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: RUNTIME_ENV.profile, value: MVP_PROFILE },
      { name: DRAIN_SECONDS_ENV, value: String(CONTROL_PLANE_DRAIN_SECONDS) },
      { name: RUNTIME_ENV.tlsDir, value: CONTROL_PLANE_TLS_MOUNT_PATH },
      ...(props.bundleDigest !== undefined ? [{ name: RUNTIME_ENV.bundleDigest, value: props.bundleDigest }] : []),
      ...(props.region !== undefined ? [{ name: RUNTIME_ENV.region, value: props.region }] : []),
      ...leaseConnection.env,
    ];
    const deploymentSpec: k8s.DeploymentSpec = {
      replicas,
      revisionHistoryLimit: 5,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
      selector: { matchLabels: { ...this.selector } },
      template: {
        metadata: { labels, annotations: { [DRAIN_SECONDS_ANNOTATION]: String(CONTROL_PLANE_DRAIN_SECONDS) } },
        spec: {
          serviceAccountName: this.serviceAccountName,
          ...pullSecrets.spec,
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext({}, where),
          terminationGracePeriodSeconds: gracePeriodFor(CONTROL_PLANE_DRAIN_SECONDS),
          ...(ha ? spreadAcrossNodes(this.selector) : {}),
          containers: [{
            name: 'control-plane',
            image,
            command,
            env,
            ports: [
              { name: PORT_NAMES.api, containerPort: CONTROL_PLANE_API_PORT, protocol: 'TCP' },
              { name: PORT_NAMES.admin, containerPort: ADMIN_PORT, protocol: 'TCP' },
            ],
            ...adminProbes(),
            resources,
            securityContext: restrictedContainerSecurityContext({}, where),
            volumeMounts: [
              { name: 'tls', mountPath: CONTROL_PLANE_TLS_MOUNT_PATH, readOnly: true },
              leaseConnection.volumeMount,
              tmp.mount,
            ],
          }],
          volumes: [
            { name: 'tls', secret: { secretName: cert.secretName, defaultMode: 0o440 } },
            leaseConnection.volume,
            tmp.volume,
          ],
        },
      },
    };
    this.deployment = new ApiObject(this, 'deployment', {
      ...k8s.KubeDeployment.GVK,
      metadata: { name: this.name, namespace: ns, labels },
      spec: k8s.toJson_DeploymentSpec(deploymentSpec),
    });
    addPreStopSleep(this.deployment, '/spec/template/spec/containers/0', PRESTOP_SLEEP_SECONDS);
    if (leaseConnection.externalRefs.length > 0) declareExternalRefs(this.deployment, leaseConnection.externalRefs);
    if (pullSecrets.externalRefs.length > 0) declareExternalRefs(this.deployment, pullSecrets.externalRefs);

    new k8s.KubeService(this, 'service', {
      metadata: { name: this.serviceName, namespace: ns, labels },
      spec: {
        selector: { ...this.selector },
        ports: [
          { name: PORT_NAMES.api, port: CONTROL_PLANE_API_PORT, targetPort: k8s.IntOrString.fromString(PORT_NAMES.api) },
          { name: PORT_NAMES.admin, port: ADMIN_PORT, targetPort: k8s.IntOrString.fromString(PORT_NAMES.admin) },
        ],
      },
    });

    if (ha) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name: this.name, namespace: ns, labels },
        spec: { minAvailable: k8s.IntOrString.fromNumber(statelessMinAvailable(replicas)), selector: { matchLabels: { ...this.selector } } },
      });
    }
  }

  /** Allow `client` (e.g. the runtime) to call the control-plane API. Idempotent per client. */
  public grantApiClient(client: IFlowEndpoint): void {
    if (this.apiClients.has(client.flowName)) return;
    this.apiClients.add(client.flowName);
    this.tls.flows.allow(client, this, [CONTROL_PLANE_API_PORT], `${client.flowName} resolves bundles and admission through the control-plane API (mTLS)`);
  }
}
