/**
 * The typed description of one RSPP environment. `dev.ts`, `stage.ts` and `prod.ts` are values of
 * this type; `schema.ts` validates them at runtime (every problem reported, each naming the env,
 * the field path and what is allowed) against the structure below and the per-env floors of
 * `posture.ts`. `loadEnvironment(name)` (`load-environment.ts`) is the way to get a validated one.
 *
 * The MVP single-region posture (architecture §3) is encoded as literal types where it is fixed:
 * changing it is an explicit, reviewed change to this file, not a config flag.
 */

export type EnvName = 'dev' | 'stage' | 'prod';

/** A container image pinned by digest: `registry/repo@sha256:<64 hex>`. Tags are refused. */
export type ImageRef = string;

export interface ResourceSpec {
  /** CPU request, Kubernetes quantity (e.g. `250m`). */
  readonly cpuRequest: string;
  /** Memory request (e.g. `256Mi`). */
  readonly memoryRequest: string;
  /** Memory limit (e.g. `512Mi`). */
  readonly memoryLimit: string;
  /** CPU limit; unset by default (CPU limits throttle latency-sensitive work). */
  readonly cpuLimit?: string;
}

/**
 * The registry the platform's image is pushed to (`npm run image -- --push <repository>`) and pulled
 * from. The digest stays the pinned/built one (content-addressed: the same index wherever it is
 * pushed); only the repository part of `runtime.image` / `controlPlane.image` changes, and only
 * where the env uses the platform's image.
 */
export interface ImagesEnvConfig {
  /** `<registry>/<repository>` without tag or digest, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/rspp-runtime`. */
  readonly repository?: string;
  /** Secrets of type kubernetes.io/dockerconfigjson in the namespace, set as the runtime's and control plane's imagePullSecrets. */
  readonly pullSecrets?: readonly string[];
}

export interface RuntimeEnvConfig {
  /** Runtime image, pinned by digest. */
  readonly image: ImageRef;
  /** Minimum replicas (HPA min). dev 1, stage 2, prod 3 (floors: `MVP_POSTURE`). */
  readonly minReplicas: number;
  /** Maximum replicas (HPA max). */
  readonly maxReplicas: number;
  /** Target average CPU utilisation for the HPA, percent. */
  readonly targetCpuUtilization: number;
  /** Seconds an in-flight turn may take to finish on drain; grace period is derived from it. */
  readonly drainSeconds: number;
  readonly resources: ResourceSpec;
}

export interface ControlPlaneEnvConfig {
  readonly image: ImageRef;
  readonly replicas: number;
  readonly resources: ResourceSpec;
}

/**
 * Where an external etcd runs, as NetworkPolicies name it (RSPP-NET-002: a peer is named by labels,
 * never by IP block), so the platform's clients may reach it past default-deny egress.
 */
export interface LeaseStoreExternalPeer {
  /** Namespace of the etcd pods (matched by its `kubernetes.io/metadata.name` label). */
  readonly namespace: string;
  /** Labels of the etcd pods (at least one). */
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * The authority lease store. `managed` uses `members`, `image`, `storageSize`, `storageClassName`
 * and `resources`; `external` uses `endpoints`, `tlsSecretName` and `externalPeer` (all three
 * required). In external mode the managed-only fields every env inherits from `defaults.ts`
 * (`members`, `image`, `storageSize`, `resources`) stay required by this type and are ignored;
 * `storageClassName`, which an env only sets on purpose, is refused, as are the external-only
 * fields in managed mode, so a misplaced setting is never dropped silently.
 */
export interface LeaseStoreEnvConfig {
  /** `managed`: an etcd StatefulSet in the namespace; `external`: an etcd run elsewhere, reached over mTLS. */
  readonly mode: 'managed' | 'external';
  /** etcd members (odd, ≤7; ≥3 in stage and prod). Managed mode only. */
  readonly members: number;
  /** etcd image, pinned by digest. Managed mode only. */
  readonly image: ImageRef;
  /** PVC size per member (e.g. `10Gi`). Managed mode only. */
  readonly storageSize: string;
  /** StorageClass for member PVCs; cluster default when unset. Managed mode only. */
  readonly storageClassName?: string;
  /** External mode: etcd client URLs, `https://host:port` (explicit port, e.g. 2379). */
  readonly endpoints?: readonly string[];
  /** External mode: name of an existing Secret with `ca.crt`, `tls.crt`, `tls.key` (declared external in the output). */
  readonly tlsSecretName?: string;
  /** External mode: the etcd pods, for the clients' egress NetworkPolicies. */
  readonly externalPeer?: LeaseStoreExternalPeer;
  /** Lease TTL in seconds for runtime authority leases. */
  readonly leaseTtlSeconds: number;
  /** etcd container resources. Managed mode only. */
  readonly resources: ResourceSpec;
}

export interface AuthorityConfig {
  /** MVP posture: single region. Anything else is rejected by the schema. */
  readonly mode: 'single-region';
  /** The one region that holds authority. */
  readonly region: string;
}

export interface TlsEnvConfig {
  /** dev: a self-signed CA; stage/prod: a CA issuer (optionally backed by an external root). */
  readonly issuer: 'self-signed-ca' | 'ca-issuer';
  /** For `ca-issuer`: name of an existing Secret holding the CA keypair; created by the self-signed bootstrap when unset. */
  readonly caSecretName?: string;
  /** Certificate lifetime, Go duration (e.g. `2160h`). */
  readonly certificateDuration: string;
  /** Renew this long before expiry (e.g. `360h`). */
  readonly renewBefore: string;
}

export interface LiveKitEnvConfig {
  /** Public domain of the LiveKit server (signalling). */
  readonly domain: string;
  /**
   * Namespace the Terraform stack installs the LiveKit server in (its own, Pod Security `privileged`;
   * never the platform namespace). The runtime's egress NetworkPolicy selects it by name. `livekit` by default.
   */
  readonly namespace: string;
  /** LiveKit nodes; Redis is installed only when > 1. */
  readonly replicas: number;
  /** UDP media port range start/end (inclusive); the runtime may send media to every port of it. */
  readonly udpPortRangeStart: number;
  readonly udpPortRangeEnd: number;
  /** Existing Secret (in the LiveKit namespace) holding `keys.yaml` = `<api-key>: <api-secret>`, the LiveKit chart's key-file format; when unset, sensitive ephemeral Terraform variables are used. */
  readonly apiKeySecretName?: string;
  /** LiveKit Helm chart version (pinned). */
  readonly chartVersion: string;
  /**
   * CIDRs (IPv4/IPv6, canonical, at most `LIVEKIT_NODE_CIDRS_MAX`) of the nodes LiveKit runs on.
   * LiveKit runs with `hostNetwork` (WebRTC), and on common CNIs (Calico, Cilium) a namespace
   * selector never matches host-network pods; when set, the runtime also gets egress to these
   * addresses on the LiveKit ports only (7880/TCP, 7881/TCP, the UDP media range), one
   * NetworkPolicy exempted from RSPP-NET-002 with its reason. Set it only on such a CNI.
   * @default - unset: LiveKit is reached by its namespace only
   */
  readonly nodeCidrs?: readonly string[];
}

export interface PipelineEnvConfig {
  /** MVP posture: the `simple/v1` profile. */
  readonly profile: 'simple/v1';
  /** Digest of the `simple_v1` bundle (`sha256:<64 hex>`). */
  readonly bundleDigest: string;
  /** Rollout artifact name (`canary_10pct_v1`). */
  readonly rollout: string;
}

export interface ObservabilityEnvConfig {
  /** Observability backend installed by the Terraform stack. */
  readonly backend: 'kube-prometheus-stack';
  /** kube-prometheus-stack chart version (pinned). */
  readonly chartVersion: string;
  /** Label the Prometheus instance selects ServiceMonitors/PrometheusRules by. */
  readonly prometheusReleaseLabel: string;
}

export interface TerraformEnvConfig {
  /** `local` for dev; `remote` (configurable) for stage/prod. */
  readonly backend: 'local' | 's3' | 'gcs' | 'azurerm' | 'remote';
  /** Backend settings (bucket, key, organisation, ...). No secrets here: credentials come from the environment. */
  readonly backendConfig?: Readonly<Record<string, string>>;
}

// ---- Cluster flavour (issue #12) ----------------------------------------------------------------

/** The kind of cluster the env deploys to; its data lives in `envs/flavours/<name>.ts`. */
export type ClusterFlavourName = 'eks' | 'gke' | 'aks' | 'kind' | 'generic';

export interface ClusterEnvConfig {
  /** Decides DNS egress peers, the default StorageClass, metrics-server and control-plane scrape jobs (`cluster-flavour.ts`). */
  readonly flavour: ClusterFlavourName;
  /**
   * StorageClass of every volume the env claims (etcd members, Prometheus). Required in stage and
   * prod (EKS ≥ 1.30 has no default class: claims would stay Pending); dev falls back to the
   * flavour's default class, else the cluster default. `leaseStore.storageClassName` overrides it for etcd.
   */
  readonly storageClassName?: string;
  /** Extra DNS resolver IP addresses pods must reach on 53/UDP+TCP (a node-local cache the flavour does not know). */
  readonly dnsResolverAddresses?: readonly string[];
}

// ---- Alert receivers (issue #12) -----------------------------------------------------------------

/**
 * Where Alertmanager sends alerts. The credential (webhook URL, Slack incoming-webhook URL, PagerDuty
 * routing key) is never in the config: either an existing Secret in the monitoring namespace
 * (`existingSecret`), or a sensitive ephemeral Terraform variable `alert_receiver_<name>` the stack
 * writes into a Secret with a write-only argument. Alertmanager reads it from the mounted file.
 */
export interface AlertReceiverConfig {
  /** Receiver name (DNS label), unique in the env. */
  readonly name: string;
  readonly kind: 'webhook' | 'slack' | 'pagerduty';
  /** Slack channel (`#alerts`); Slack only. */
  readonly channel?: string;
  /** An existing Secret (namespace `monitoring`) and its key holding the credential. @default - a sensitive Terraform variable */
  readonly existingSecret?: { readonly name: string; readonly key: string };
}

export interface AlertingEnvConfig {
  /** Alerts go to every receiver (stage and prod need at least one: the chart's default route is the `null` receiver). */
  readonly receivers: readonly AlertReceiverConfig[];
}

export interface EnvironmentConfig {
  readonly name: EnvName;
  /** Kubernetes namespace of the RSPP platform. */
  readonly namespace: string;
  /** Version label stamped on every object (`app.kubernetes.io/version`). */
  readonly version: string;
  /** High availability: PDBs, anti-affinity and topology spread. Off in dev, on in stage/prod. */
  readonly highAvailability: boolean;
  /**
   * Zones (`topology.kubernetes.io/zone` values) the cluster's nodes run in. With 3 or more, the etcd
   * members must spread across zones (`whenUnsatisfiable: DoNotSchedule`): a member never lands in a
   * zone that already holds more than its share. @default unset: the spread is best effort
   */
  readonly zones?: readonly string[];
  readonly authority: AuthorityConfig;
  /** MVP posture: LiveKit transport. */
  readonly transport: 'livekit';
  readonly pipeline: PipelineEnvConfig;
  readonly runtime: RuntimeEnvConfig;
  readonly controlPlane: ControlPlaneEnvConfig;
  readonly leaseStore: LeaseStoreEnvConfig;
  readonly tls: TlsEnvConfig;
  readonly livekit: LiveKitEnvConfig;
  readonly observability: ObservabilityEnvConfig;
  readonly terraform: TerraformEnvConfig;
  /** Where the platform's own image (runtime + control plane) is pulled from. @default the pin's repository, no pull secrets */
  readonly images?: ImagesEnvConfig;
  /** The cluster the env deploys to (flavour, storage class, extra DNS resolvers). */
  readonly cluster: ClusterEnvConfig;
  /** Alertmanager receivers. */
  readonly alerting: AlertingEnvConfig;
}
