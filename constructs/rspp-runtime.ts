/**
 * `RsppRuntime`: the stateless session runtime (architecture §4).
 *
 * Deployment (probes on the admin port, preStop sleep, grace period derived from the drain time),
 * Service, ServiceAccount (no token), ConfigMap (bundle digest + profile), HorizontalPodAutoscaler
 * (autoscaling/v2), and when highly available a PodDisruptionBudget, anti-affinity and topology
 * spread, plus the runtime's own NetworkPolicy (session clients in, DNS out, and whatever flows are
 * added with `allowIngressFrom` / `allowEgressTo`). With `tls` the runtime's own certificate Secret
 * is mounted read-only; with `leaseStore` the etcd client certificate. Every object passes
 * `manifest-policy.md` as synthesized, with no props at all.
 *
 * Built on cdk8s-plus-27 for the ServiceAccount, ConfigMap and Service; the Deployment, PDB, HPA
 * and NetworkPolicy use the typed `k8s` imports because plus-27 cannot express seccomp profiles,
 * the preStop `sleep` action, PDBs or HPA behaviour, and its Deployment adds a construct-path label
 * to the (immutable) selector.
 */
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ResourceSpec } from '../envs/environment-config';
import { RUNTIME_IMAGE, SIMPLE_V1_BUNDLE_DIGEST } from '../envs/pins';
import { RUNTIME_RESOURCES } from '../envs/defaults';
import { cpuMillis } from '../envs/quantity';
import {
  ADMIN_PORT,
  DEFAULT_DRAIN_SECONDS,
  DEFAULT_LEASE_TTL_SECONDS,
  gracePeriodFor,
  MVP_PROFILE,
  PATHS,
  PORT_NAMES,
  PRESTOP_SLEEP_SECONDS,
  RUNTIME_ENV,
  RUNTIME_SESSION_PORT,
} from '../runtime/contracts/runtime-interface';
import { assertPinnedImage, imagePullSecretsSpec, SHA256_DIGEST } from './common/image';
import { assertObjectName, isDnsLabel } from './common/kubernetes-names';
import { labelValueProblem, PLATFORM_VERSION, recommendedLabels, selectorLabels } from './common/labels';
import {
  assertPeer,
  assertPolicyPorts,
  dnsEgressRule,
  DnsResolvers,
  networkPolicyPeer,
  networkPolicyPorts,
  PeerSelector,
  PolicyPort,
} from './common/network-policy';
import { adminProbes } from './common/probes';
import { containerResources } from './common/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, RestrictedSecurityOptions } from './common/security-context';
import { addPreStopSleep, CONFIG_CHECKSUM_ANNOTATION, configChecksum, spreadAcrossNodes, TMP_MOUNT_PATH, tmpVolume } from './common/workload';
import type { IFlowEndpoint } from './network-flows';
import type { IScrapeable, ScrapeTarget } from './observability-stack';
import { declareExternalRefs } from './policy/external-refs';
import { DRAIN_SECONDS_ANNOTATION } from './policy/policy-annotations';

/** Component label (`app.kubernetes.io/component`) and flow name of the runtime. */
export const RUNTIME_COMPONENT = 'runtime';
/** Pods carrying this label (value `"true"`) may open sessions when `sessionClients` is not set. */
export const SESSION_CLIENT_LABEL = 'rspp.io/session-client';
/** Where the etcd client certificate Secret is mounted (`ca.crt`, `tls.crt`, `tls.key`). */
export const RUNTIME_ETCD_TLS_DIR = '/etc/rspp/etcd-tls';
/** Where the runtime's own certificate Secret (`ca.crt`, `tls.crt`, `tls.key`) is mounted by default (`props.tls`). */
export const RUNTIME_TLS_MOUNT_PATH = '/etc/rspp/tls';

/** Keys of the runtime ConfigMap. */
export const RUNTIME_CONFIG_KEYS = { bundleDigest: 'bundleDigest', profile: 'profile' } as const;

/** A port the runtime serves, as it appears in the container, the Service and NetworkPolicies. */
export interface RuntimePort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP';
}

/** The authority lease store the runtime uses. */
export interface RsppRuntimeLeaseStore {
  /** etcd client URLs, `https://host:port`. At least one. */
  readonly endpoints: readonly string[];
  /**
   * Secret with `ca.crt`, `tls.crt`, `tls.key` for etcd mTLS, mounted at `RUNTIME_ETCD_TLS_DIR`.
   * @default - no client certificate (plain TLS verification is then the process's default)
   */
  readonly tlsSecretName?: string;
  /**
   * Authority lease TTL, seconds; at most `drainSeconds` so a draining pod's lease never outlives it.
   * @default DEFAULT_LEASE_TTL_SECONDS (10)
   */
  readonly leaseTtlSeconds?: number;
}

/**
 * The runtime's own certificate (mTLS to the control plane): a Secret with `ca.crt`, `tls.crt` and
 * `tls.key`, mounted read-only. An `IssuedCertificate` from `MtlsBaseline.issueCertificate` fits as is.
 */
export interface RsppRuntimeTls {
  /** Name of the Secret (cert-manager writes it for an `IssuedCertificate`). */
  readonly secretName: string;
  /**
   * Absolute directory the Secret is mounted at.
   * @default RUNTIME_TLS_MOUNT_PATH ('/etc/rspp/tls')
   */
  readonly mountPath?: string;
}

export interface RsppRuntimeProps {
  /**
   * Base name of every object (Deployment, Service, ServiceAccount, ...; the ConfigMap is `<name>-config`).
   * @default 'rspp-runtime'
   */
  readonly name?: string;
  /**
   * Namespace of the objects; also used to build `serviceHost`.
   * @default - the enclosing Chart's namespace
   */
  readonly namespace?: string;
  /**
   * `app.kubernetes.io/instance`: which deployment of the platform this is (e.g. `rspp-prod`).
   * @default - the namespace, or 'rspp' when there is none
   */
  readonly instance?: string;
  /**
   * `app.kubernetes.io/version`.
   * @default PLATFORM_VERSION
   */
  readonly version?: string;
  /**
   * Runtime image, pinned by digest (`repo@sha256:<64 hex>`); tags are refused.
   * @default RUNTIME_IMAGE from `envs/pins.ts`
   */
  readonly image?: string;
  /**
   * Secrets (type kubernetes.io/dockerconfigjson) the pods pull the image with, for a private
   * registry; created by the cluster owner, declared external in the output. @default none
   */
  readonly imagePullSecrets?: readonly string[];
  /**
   * Digest of the pipeline bundle the runtime serves (`sha256:<64 hex>`), written to the ConfigMap.
   * @default SIMPLE_V1_BUNDLE_DIGEST from `envs/pins.ts`
   */
  readonly bundleDigest?: string;
  /**
   * Pipeline profile, written to the ConfigMap.
   * @default MVP_PROFILE ('simple/v1')
   */
  readonly profile?: string;
  /**
   * Fewest replicas (HPA `minReplicas`). The Deployment carries no `replicas` field: the HPA owns
   * the count, so re-applying the manifests never scales a busy runtime back down.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most replicas (HPA max).
   * @default - minReplicas
   */
  readonly maxReplicas?: number;
  /**
   * HPA target average CPU utilisation, percent of the CPU request.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
  /**
   * PodDisruptionBudget (`maxUnavailable`, see `disruptionMaxUnavailable`), preferred anti-affinity
   * and topology spread across zones and nodes. Needs minReplicas >= 2.
   * @default - true when minReplicas >= 2
   */
  readonly highAvailability?: boolean;
  /**
   * PDB `maxUnavailable`: session pods a voluntary disruption (node drain, cluster upgrade) may evict
   * at once, whatever the replica count (an absolute `minAvailable` let 18 of 20 go at once). Drain
   * cost: each evicted pod drains its sessions for up to `terminationGracePeriodSeconds`, so draining
   * k runtime pods takes about ⌈k / maxUnavailable⌉ × terminationGracePeriodSeconds.
   * @default 1
   */
  readonly disruptionMaxUnavailable?: number;
  /**
   * Seconds an in-flight turn may take to finish after SIGTERM. Passed to the process as
   * `RSPP_DRAIN_SECONDS`; `terminationGracePeriodSeconds` is `gracePeriodFor(drainSeconds)`.
   * @default DEFAULT_DRAIN_SECONDS (30)
   */
  readonly drainSeconds?: number;
  /**
   * CPU/memory requests and limits of the runtime container.
   * @default RUNTIME_RESOURCES (500m / 512Mi request, 1Gi memory limit, no CPU limit)
   */
  readonly resources?: ResourceSpec;
  /**
   * Worker processes per pod sharing the session port (`RSPP_WORKERS`): each is one event loop
   * with its own authority lease and sessions; the pod's admin port merges their metrics. Each
   * worker needs a core: with `workers` > 1 and no `resources.cpuLimit`, the CPU request and limit
   * are set to `workers` cores (so the HPA's utilisation target is the average busy share of the
   * workers' event loops); an explicit `cpuLimit` must give every worker a core.
   * @default - ⌈resources.cpuLimit⌉ cores when a CPU limit is set, else 1 (`RSPP_WORKERS` not set;
   * the process then reads the cgroup CPU limit itself)
   */
  readonly workers?: number;
  /**
   * Region the runtime serves (single-region MVP), passed as `RSPP_REGION`.
   * @default 'local'
   */
  readonly region?: string;
  /**
   * etcd authority lease store. Required when more than one replica may run in production; without
   * it each pod uses the embedded in-memory store (authority is then per pod: fine for dev).
   * @default - in-memory lease store
   */
  readonly leaseStore?: RsppRuntimeLeaseStore;
  /**
   * The runtime's own certificate Secret, mounted read-only at `tls.mountPath`.
   * @default - no certificate mounted
   */
  readonly tls?: RsppRuntimeTls;
  /**
   * Control-plane API base URL (`http(s)://host:port`), passed as `RSPP_CONTROL_PLANE_URL`; the
   * runtime fetches its pinned bundle there at start. An `https` URL needs `tls`: the runtime
   * presents that certificate (`RSPP_TLS_DIR`) and the control plane refuses clients without one.
   * @default - none: the runtime serves its embedded defaults
   */
  readonly controlPlaneUrl?: string;
  /**
   * Peers allowed to open sessions on the sessions port (named by labels, RSPP-NET-002).
   * @default - pods in the same namespace labelled `rspp.io/session-client: "true"`
   */
  readonly sessionClients?: readonly PeerSelector[];
  /**
   * Allow egress to cluster DNS (kube-dns in kube-system, port 53).
   * @default true
   */
  readonly allowDnsEgress?: boolean;
  /**
   * Where DNS is answered (the cluster flavour's kube-dns pods and resolver addresses).
   * @default CLUSTER_DNS_ONLY (kube-dns pods)
   */
  readonly dns?: DnsResolvers;
  /**
   * uid/gid the container runs as (non-zero).
   * @default uid and gid 65532 (distroless `nonroot`)
   */
  readonly securityContext?: RestrictedSecurityOptions;
  /**
   * Size limit of the writable `/tmp` emptyDir.
   * @default '64Mi'
   */
  readonly tmpSizeLimit?: string;
}

/** Object name of the runtime's Deployment, Service, ... when `props.name` is not set. */
export const DEFAULT_RUNTIME_NAME = 'rspp-runtime';
const DEFAULT_TARGET_CPU = 70;
const DEFAULT_SESSION_CLIENT: PeerSelector = { podLabels: { [SESSION_CLIENT_LABEL]: 'true' } };
const CONTAINER_NAME = 'runtime';
const ETCD_TLS_VOLUME = 'etcd-tls';
const TLS_VOLUME = 'tls';

/**
 * Worker count and the container resources that go with it: `workers` from the prop, else
 * ⌈cpuLimit⌉; more than one worker without a CPU limit gets request = limit = `workers` cores.
 * `source`: where `RSPP_WORKERS` comes from — the prop (a literal), the CPU limit (downward API),
 * or nowhere (no limit: the process's cgroup fallback finds none and runs one worker).
 */
function sizeWorkers(
  where: string,
  spec: ResourceSpec,
  workers: number | undefined,
): { workers: number; resources: ResourceSpec; source: 'prop' | 'cpu-limit' | 'none' } {
  const limitMillis = spec.cpuLimit !== undefined ? cpuMillis(spec.cpuLimit) : undefined;
  const limitCores = limitMillis !== undefined ? Math.max(1, Math.ceil(limitMillis / 1000 - 1e-9)) : undefined;
  if (workers === undefined) return { workers: limitCores ?? 1, resources: spec, source: limitCores !== undefined ? 'cpu-limit' : 'none' };
  const n = integerProp(where, 'workers', workers, 1, 64);
  if (limitCores !== undefined && n > limitCores) {
    throw new Error(
      `${where}: props.workers (${n}) exceeds the CPU limit (resources.cpuLimit ${spec.cpuLimit}): each worker is one event loop and needs a core; ` +
        `set cpuLimit to at least "${n}" or lower workers to ${limitCores}`,
    );
  }
  if (n === 1 || spec.cpuLimit !== undefined) return { workers: n, resources: spec, source: 'prop' };
  return { workers: n, resources: { ...spec, cpuRequest: String(n), cpuLimit: String(n) }, source: 'prop' };
}

export class RsppRuntime extends Construct implements IFlowEndpoint, IScrapeable {
  /** Base name of the objects. */
  public readonly name: string;
  /** Namespace of the objects, when known. */
  public readonly namespace?: string;
  public readonly serviceName: string;
  public readonly serviceAccountName: string;
  public readonly configMapName: string;
  /** In-cluster host of the Service: `<service>.<namespace>.svc`, or the bare service name without a namespace. */
  public readonly serviceHost: string;
  /** The ports the runtime serves: `sessions` (WebSocket) and `admin` (health, readiness, metrics). */
  public readonly ports: { readonly sessions: RuntimePort; readonly admin: RuntimePort };
  /** Labels that select exactly the runtime's pods (stable across versions). */
  public readonly podSelector: Readonly<Record<string, string>>;
  /** The six recommended labels on every object of the runtime. */
  public readonly labels: Readonly<Record<string, string>>;
  public readonly image: string;
  public readonly bundleDigest: string;
  public readonly profile: string;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;
  public readonly highAvailability: boolean;
  public readonly drainSeconds: number;
  /** Worker processes per pod (`RSPP_WORKERS`). */
  public readonly workers: number;
  /** `gracePeriodFor(drainSeconds)`: preStop + drain + exit margin. */
  public readonly terminationGracePeriodSeconds: number;
  /** PDB maxUnavailable; `undefined` without high availability. */
  public readonly pdbMaxUnavailable?: number;
  /** Secret of the runtime's own certificate (`props.tls`), when one is mounted. */
  public readonly tlsSecretName?: string;
  /** Where that Secret is mounted, when one is. */
  public readonly tlsMountPath?: string;
  /** `IFlowEndpoint`: name used in flow policy names. */
  public readonly flowName = RUNTIME_COMPONENT;
  /** `IFlowEndpoint`: how NetworkPolicies select the runtime's pods. */
  public readonly flowPeer: PeerSelector;

  /** `IScrapeable`: the admin port's `/metrics`, for `ObservabilityStack` targets (like the control plane's). */
  public get scrapeTarget(): ScrapeTarget {
    return { name: RUNTIME_COMPONENT, workload: this, serviceLabels: this.podSelector, portName: this.ports.admin.name, port: this.ports.admin.port };
  }

  /**
   * Escape hatches to the underlying objects. The Deployment is a plain `ApiObject` (its spec typed
   * as `k8s.DeploymentSpec`) so the preStop `sleep` action survives synthesis.
   */
  public readonly deployment: ApiObject;
  public readonly service: kplus.Service;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly configMap: kplus.ConfigMap;
  public readonly autoscaler: k8s.KubeHorizontalPodAutoscalerV2;
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  public readonly networkPolicy: k8s.KubeNetworkPolicy;

  private readonly where: string;
  private readonly ingressRules: k8s.NetworkPolicyIngressRule[] = [];
  private readonly egressRules: k8s.NetworkPolicyEgressRule[] = [];

  public constructor(scope: Construct, id: string, props: RsppRuntimeProps = {}) {
    super(scope, id);
    const where = (this.where = `RsppRuntime(${this.node.path})`);

    // ---- props, validated (errors name the prop) ----------------------------------------------
    this.name = assertObjectName(where, 'name', props.name ?? DEFAULT_RUNTIME_NAME, 63 - '-config'.length);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace !== undefined && !isDnsLabel(namespace)) {
      throw new Error(`${where}: props.namespace ${JSON.stringify(namespace)} is not a DNS label (lowercase letters, digits, '-', at most 63)`);
    }
    this.namespace = namespace;
    const instance = props.instance ?? namespace ?? 'rspp';
    const version = props.version ?? PLATFORM_VERSION;
    for (const [prop, value] of [['instance', instance], ['version', version]] as const) {
      const problem = labelValueProblem(value);
      if (problem !== undefined) throw new Error(`${where}: props.${prop} ${problem}`);
    }
    this.image = assertPinnedImage(where, 'image', props.image ?? RUNTIME_IMAGE);
    const pullSecrets = imagePullSecretsSpec(where, props.imagePullSecrets);
    this.bundleDigest = props.bundleDigest ?? SIMPLE_V1_BUNDLE_DIGEST;
    if (!SHA256_DIGEST.test(this.bundleDigest)) {
      throw new Error(`${where}: props.bundleDigest ${JSON.stringify(this.bundleDigest)} is not an immutable bundle digest; use "sha256:<64 lowercase hex>"`);
    }
    this.profile = props.profile ?? MVP_PROFILE;
    if (this.profile.trim() === '') throw new Error(`${where}: props.profile must not be empty; use e.g. "${MVP_PROFILE}"`);

    this.minReplicas = integerProp(where, 'minReplicas', props.minReplicas ?? 1, 1, 1000);
    this.maxReplicas = integerProp(where, 'maxReplicas', props.maxReplicas ?? this.minReplicas, 1, 1000);
    if (this.maxReplicas < this.minReplicas) {
      throw new Error(`${where}: props.maxReplicas (${this.maxReplicas}) is below props.minReplicas (${this.minReplicas}); set maxReplicas >= minReplicas`);
    }
    const targetCpu = integerProp(where, 'targetCpuUtilization', props.targetCpuUtilization ?? DEFAULT_TARGET_CPU, 1, 100);
    this.highAvailability = props.highAvailability ?? this.minReplicas >= 2;
    if (this.highAvailability && this.minReplicas < 2) {
      throw new Error(
        `${where}: props.highAvailability needs props.minReplicas >= 2 (HPA min must be >= PDB minAvailable + 1), got ${this.minReplicas}; ` +
          `raise minReplicas or set highAvailability to false`,
      );
    }
    this.drainSeconds = integerProp(where, 'drainSeconds', props.drainSeconds ?? DEFAULT_DRAIN_SECONDS, 1, 3600);
    this.terminationGracePeriodSeconds = gracePeriodFor(this.drainSeconds);
    const sized = sizeWorkers(where, props.resources ?? RUNTIME_RESOURCES, props.workers);
    this.workers = sized.workers;
    const resources = containerResources(sized.resources, where);
    const region = props.region ?? 'local';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(region)) {
      throw new Error(`${where}: props.region ${JSON.stringify(region)} is not a region name; use lowercase letters, digits and '-' (e.g. "eu-west-1")`);
    }
    const leaseStore = props.leaseStore;
    if (leaseStore !== undefined) validateLeaseStore(where, leaseStore, this.drainSeconds);
    if (props.tls !== undefined) {
      this.tlsSecretName = assertObjectName(where, 'tls.secretName', props.tls.secretName, 253);
      this.tlsMountPath = validateTlsMountPath(where, props.tls.mountPath ?? RUNTIME_TLS_MOUNT_PATH, leaseStore?.tlsSecretName !== undefined);
    }
    if (props.controlPlaneUrl !== undefined && !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/.*)?$/.test(props.controlPlaneUrl)) {
      throw new Error(`${where}: props.controlPlaneUrl ${JSON.stringify(props.controlPlaneUrl)} is not an http(s)://host[:port] URL`);
    }
    if (props.controlPlaneUrl?.startsWith('https://') && props.tls === undefined) {
      throw new Error(
        `${where}: props.controlPlaneUrl is https but props.tls is not set; the control plane requires a client certificate: pass the runtime's certificate (MtlsBaseline.issueCertificate) as props.tls`,
      );
    }
    const sessionClients = props.sessionClients ?? [DEFAULT_SESSION_CLIENT];
    sessionClients.forEach((peer, i) => assertPeer(where, `props.sessionClients[${i}]`, peer));
    const podSecurity = restrictedPodSecurityContext(props.securityContext, where);
    const containerSecurity = restrictedContainerSecurityContext(props.securityContext, where);
    const tmp = tmpVolume(props.tmpSizeLimit ?? '64Mi');

    // ---- identity -------------------------------------------------------------------------------
    const identity = { name: this.name, instance, version, component: RUNTIME_COMPONENT };
    this.labels = recommendedLabels(identity, where);
    this.podSelector = selectorLabels(identity, where);
    this.flowPeer = { podLabels: this.podSelector };
    this.serviceName = this.name;
    this.serviceAccountName = this.name;
    this.configMapName = `${this.name}-config`;
    this.serviceHost = namespace !== undefined ? `${this.serviceName}.${namespace}.svc` : this.serviceName;
    this.ports = {
      sessions: { name: PORT_NAMES.sessions, port: RUNTIME_SESSION_PORT, protocol: 'TCP' },
      admin: { name: PORT_NAMES.admin, port: ADMIN_PORT, protocol: 'TCP' },
    };
    const metadata = (name: string) => ({ name, ...(namespace !== undefined ? { namespace } : {}), labels: { ...this.labels } });

    // ---- ServiceAccount (dedicated, no API token: the runtime never calls the API) ---------------
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: metadata(this.serviceAccountName),
      automountToken: false,
    });

    // ---- ConfigMap: the bundle digest and profile the pods serve --------------------------------
    const configData = { [RUNTIME_CONFIG_KEYS.bundleDigest]: this.bundleDigest, [RUNTIME_CONFIG_KEYS.profile]: this.profile };
    this.configMap = new kplus.ConfigMap(this, 'config', { metadata: metadata(this.configMapName), data: configData });

    // ---- Deployment ------------------------------------------------------------------------------
    const fromConfig = (name: string, key: string): k8s.EnvVar => ({
      name,
      valueFrom: { configMapKeyRef: { name: this.configMapName, key, optional: false } },
    });
    const env: k8s.EnvVar[] = [
      fromConfig(RUNTIME_ENV.bundleDigest, RUNTIME_CONFIG_KEYS.bundleDigest),
      fromConfig(RUNTIME_ENV.profile, RUNTIME_CONFIG_KEYS.profile),
      { name: RUNTIME_ENV.drainSeconds, value: String(this.drainSeconds) },
      { name: RUNTIME_ENV.region, value: region },
      { name: RUNTIME_ENV.podName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: RUNTIME_ENV.namespace, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: RUNTIME_ENV.leaseStore, value: leaseStore ? 'etcd' : 'memory' },
    ];
    const volumes: k8s.Volume[] = [tmp.volume];
    const volumeMounts: k8s.VolumeMount[] = [tmp.mount];
    if (leaseStore) {
      env.push({ name: RUNTIME_ENV.etcdEndpoints, value: leaseStore.endpoints.join(',') });
      env.push({ name: RUNTIME_ENV.leaseTtlSeconds, value: String(leaseStore.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS) });
      if (leaseStore.tlsSecretName !== undefined) {
        env.push({ name: RUNTIME_ENV.etcdTlsDir, value: RUNTIME_ETCD_TLS_DIR });
        volumes.push({ name: ETCD_TLS_VOLUME, secret: { secretName: leaseStore.tlsSecretName, defaultMode: 0o440 } });
        volumeMounts.push({ name: ETCD_TLS_VOLUME, mountPath: RUNTIME_ETCD_TLS_DIR, readOnly: true });
      }
    }
    if (this.tlsSecretName !== undefined && this.tlsMountPath !== undefined) {
      volumes.push({ name: TLS_VOLUME, secret: { secretName: this.tlsSecretName, defaultMode: 0o440 } });
      volumeMounts.push({ name: TLS_VOLUME, mountPath: this.tlsMountPath, readOnly: true });
      // The runtime presents this certificate to the control plane (mTLS client identity).
      env.push({ name: RUNTIME_ENV.tlsDir, value: this.tlsMountPath });
    }
    if (props.controlPlaneUrl !== undefined) env.push({ name: RUNTIME_ENV.controlPlaneUrl, value: props.controlPlaneUrl });
    if (sized.source === 'prop') env.push({ name: RUNTIME_ENV.workers, value: String(this.workers) });
    // From the limit the pod really gets (a Helm value may change it): the downward API rounds CPU up to whole cores.
    else if (sized.source === 'cpu-limit') env.push({ name: RUNTIME_ENV.workers, valueFrom: { resourceFieldRef: { containerName: CONTAINER_NAME, resource: 'limits.cpu', divisor: k8s.Quantity.fromString('1') } } });

    const scheduling = this.highAvailability ? spreadAcrossNodes(this.podSelector) : {};
    const deploymentSpec: k8s.DeploymentSpec = {
        // No `replicas`: the HPA owns the count. A replicas field here would be re-applied by every
        // `kubectl apply` / `helm upgrade` and scale a busy runtime back to minReplicas, draining live
        // sessions (Kubernetes docs, HPA: "remove spec.replicas from the manifest"). The API defaults
        // it to 1 on create and the HPA raises it to minReplicas within one sync period; RSPP-HA-001
        // checks the HPA's minReplicas instead.
        revisionHistoryLimit: 5,
        selector: { matchLabels: { ...this.podSelector } },
        // Never take serving capacity away during a rollout: surge one pod, drain the old one.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: {
            labels: { ...this.labels },
            annotations: {
              [DRAIN_SECONDS_ANNOTATION]: String(this.drainSeconds),
              [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(configData),
            },
          },
          spec: {
            serviceAccountName: this.serviceAccountName,
            ...pullSecrets.spec,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurity,
            terminationGracePeriodSeconds: this.terminationGracePeriodSeconds,
            ...scheduling,
            containers: [
              {
                name: CONTAINER_NAME,
                image: this.image,
                imagePullPolicy: 'IfNotPresent',
                ports: [
                  { name: this.ports.sessions.name, containerPort: this.ports.sessions.port, protocol: 'TCP' },
                  { name: this.ports.admin.name, containerPort: this.ports.admin.port, protocol: 'TCP' },
                ],
                env,
                resources,
                securityContext: containerSecurity,
                ...adminProbes(this.ports.admin.name),
                volumeMounts,
              },
            ],
            volumes,
          },
        },
    };
    this.deployment = new ApiObject(this, 'deployment', {
      ...k8s.KubeDeployment.GVK,
      metadata: metadata(this.name),
      spec: k8s.toJson_DeploymentSpec(deploymentSpec),
    });
    // Endpoints controllers and load balancers stop routing before SIGTERM starts the drain.
    addPreStopSleep(this.deployment, '/spec/template/spec/containers/0', PRESTOP_SLEEP_SECONDS);
    if (pullSecrets.externalRefs.length > 0) declareExternalRefs(this.deployment, pullSecrets.externalRefs);

    // ---- Service ---------------------------------------------------------------------------------
    this.service = new kplus.Service(this, 'service', {
      metadata: metadata(this.serviceName),
      type: kplus.ServiceType.CLUSTER_IP,
      selector: kplus.Pods.select(this, 'pods', { labels: { ...this.podSelector } }),
      ports: [
        { name: this.ports.sessions.name, port: this.ports.sessions.port, targetPort: this.ports.sessions.port, protocol: kplus.Protocol.TCP },
        { name: this.ports.admin.name, port: this.ports.admin.port, targetPort: this.ports.admin.port, protocol: kplus.Protocol.TCP },
      ],
    });

    // ---- HorizontalPodAutoscaler (autoscaling/v2) ------------------------------------------------
    this.autoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'autoscaler', {
      metadata: metadata(this.name),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCpu } } }],
        behavior: {
          // Scaling down drains live sessions: go slowly, one pod at a time.
          scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
          scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }, { type: 'Pods', value: 4, periodSeconds: 30 }] },
        },
      },
    });

    // ---- PodDisruptionBudget (HA only) -----------------------------------------------------------
    if (this.highAvailability) {
      this.pdbMaxUnavailable = integerProp(where, 'disruptionMaxUnavailable', props.disruptionMaxUnavailable ?? 1, 1, this.minReplicas - 1);
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'disruption-budget', {
        metadata: metadata(this.name),
        spec: {
          maxUnavailable: k8s.IntOrString.fromNumber(this.pdbMaxUnavailable),
          selector: { matchLabels: { ...this.podSelector } },
          // A crash-looping pod must not block node drains.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }

    // ---- NetworkPolicy: sessions in from declared clients, DNS out, plus added flows -------------
    for (const peer of sessionClients) this.allowIngressFrom(peer, [this.ports.sessions]);
    if (props.allowDnsEgress ?? true) this.egressRules.push(dnsEgressRule(props.dns));
    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'network-policy', {
      metadata: metadata(this.name),
      spec: {
        podSelector: { matchLabels: { ...this.podSelector } },
        policyTypes: ['Ingress', 'Egress'],
        // Same array objects: rules added later by allowIngressFrom/allowEgressTo are synthesized.
        ingress: this.ingressRules,
        egress: this.egressRules,
      },
    });
  }

  /**
   * Allow `peer` (named by labels) to connect to the runtime on `ports` (default: the sessions port).
   * For flows between platform workloads prefer the registry (`MtlsBaseline.flows.allow`).
   */
  public allowIngressFrom(peer: PeerSelector, ports: readonly PolicyPort[] = [this.ports.sessions]): void {
    assertPeer(this.where, 'allowIngressFrom(peer)', peer);
    assertPorts(this.where, 'allowIngressFrom', ports);
    this.ingressRules.push({ from: [networkPolicyPeer(peer)], ports: networkPolicyPorts(ports) });
  }

  /** Allow the runtime to connect to `peer` (named by labels) on `ports`. */
  public allowEgressTo(peer: PeerSelector, ports: readonly PolicyPort[]): void {
    assertPeer(this.where, 'allowEgressTo(peer)', peer);
    assertPorts(this.where, 'allowEgressTo', ports);
    this.egressRules.push({ to: [networkPolicyPeer(peer)], ports: networkPolicyPorts(ports) });
  }

  /** WebSocket URL of the session endpoint inside the cluster. */
  public get sessionsUrl(): string {
    return `ws://${this.serviceHost}:${this.ports.sessions.port}${PATHS.sessions}`;
  }
}

function integerProp(where: string, prop: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${where}: props.${prop} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function assertPorts(where: string, method: string, ports: readonly PolicyPort[]): void {
  if (ports.length === 0) throw new Error(`${where}: ${method}(ports) must name at least one port`);
  assertPolicyPorts(`${where}: ${method}(ports)`, ports);
}

/** An absolute, normalised directory that does not overlap `/tmp` or the etcd client TLS directory. */
function validateTlsMountPath(where: string, mountPath: string, etcdTlsMounted: boolean): string {
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(mountPath) || mountPath.split('/').some((s) => s === '.' || s === '..')) {
    throw new Error(`${where}: props.tls.mountPath ${JSON.stringify(mountPath)} is not an absolute directory path; use e.g. "${RUNTIME_TLS_MOUNT_PATH}"`);
  }
  const taken = [TMP_MOUNT_PATH, ...(etcdTlsMounted ? [RUNTIME_ETCD_TLS_DIR] : [])];
  const clash = taken.find((t) => mountPath === t || mountPath.startsWith(`${t}/`) || t.startsWith(`${mountPath}/`));
  if (clash !== undefined) {
    throw new Error(`${where}: props.tls.mountPath ${JSON.stringify(mountPath)} overlaps ${clash}, which another volume is mounted at; use e.g. "${RUNTIME_TLS_MOUNT_PATH}"`);
  }
  return mountPath;
}

function validateLeaseStore(where: string, store: RsppRuntimeLeaseStore, drainSeconds: number): void {
  if (store.endpoints.length === 0) {
    throw new Error(`${where}: props.leaseStore.endpoints must list at least one etcd client URL (https://host:2379)`);
  }
  store.endpoints.forEach((url, i) => {
    if (!/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(url)) {
      throw new Error(`${where}: props.leaseStore.endpoints[${i}] ${JSON.stringify(url)} is not an https://host[:port] URL (the lease store is reached over mTLS only)`);
    }
  });
  if (store.tlsSecretName !== undefined && !isDnsLabel(store.tlsSecretName)) {
    throw new Error(`${where}: props.leaseStore.tlsSecretName ${JSON.stringify(store.tlsSecretName)} is not a Secret name`);
  }
  const ttl = store.leaseTtlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 2 || ttl > drainSeconds) {
    throw new Error(`${where}: props.leaseStore.leaseTtlSeconds must be an integer in 2..drainSeconds (${drainSeconds}), got ${JSON.stringify(ttl)}`);
  }
}
