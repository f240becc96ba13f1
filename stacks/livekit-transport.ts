/**
 * The LiveKit server (the MVP transport) in its own namespace, with a Redis-compatible store only
 * when LiveKit runs more than one node: our own `LiveKitValkey` construct (official Valkey image
 * pinned by digest, manifest policy checked here at synth), applied as `kubernetes_manifest`
 * resources in its own restricted namespace `<livekit namespace>-valkey`. It replaces the Bitnami
 * `redis` chart, whose versioned images were removed from Docker Hub (bitnami/charts #36313).
 *
 * Pod Security exemption, reasoned: LiveKit forwards WebRTC media over a UDP port range and must see
 * the node's public addresses, so its chart runs the pods with `hostNetwork` and `hostPort`s. The
 * Pod Security Standards allow neither at `baseline`; `privileged` is the lowest level that admits
 * them, so that namespace — and only that one — enforces `privileged`, while audit and warn stay at
 * `restricted` so every deviation remains visible. The exemption and its reason are written on the
 * namespace and on the pods (`policy.rspp.io/exempt.<rule>`, constructs/policy/policy-annotations.ts).
 */
import { Release } from '@cdktf/provider-helm/lib/release';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { App as K8sApp, Chart as K8sChart } from 'cdk8s';
import { ITerraformDependable, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import type { EnvironmentConfig } from '../envs/environment-config';
import { LIVEKIT_PORTS } from '../envs/livekit';
import { EXEMPTION_ANNOTATION_PREFIX } from '../constructs/policy/policy-annotations';
import { assertPolicy } from '../constructs/policy/check-policy';
import { LiveKitValkey, VALKEY_SECRET_KEYS } from '../constructs/livekit-valkey';
import { LIVEKIT_SERVER_CHART } from './chart-pins';
import { RELEASE_TIMEOUTS } from './release-timeouts';
import { sensitiveInput } from './sensitive-input';

/** Key of the API key file in the keys Secret, and its mount name (`livekit.key_file`). */
export const LIVEKIT_KEY_FILE = 'keys.yaml';
/** Secret created from the sensitive variables when the env names no existing one. */
export const LIVEKIT_KEYS_SECRET = 'livekit-api-keys';
/** Secret (in the Valkey namespace) with `valkey.conf` and `password`, written from the ephemeral variable. */
export const LIVEKIT_VALKEY_SECRET = 'livekit-valkey-auth';
/** Characters a Valkey password may use: it is written into `requirepass "<password>"` unescaped. */
export const VALKEY_PASSWORD_PATTERN = '^[A-Za-z0-9._~+/=-]{32,128}$';

/** Namespace of LiveKit's Valkey: its own, restricted (LiveKit's namespace enforces `privileged`). */
export function valkeyNamespaceOf(env: EnvironmentConfig): string {
  return `${env.livekit.namespace}-valkey`;
}

/**
 * The Valkey objects for `env`, synthesized by cdk8s in process and checked against the manifest
 * policy (a finding throws, naming the rule and the object, and nothing is synthesized).
 */
export function valkeyObjects(env: EnvironmentConfig): { objects: Record<string, any>[]; address: string } {
  const app = new K8sApp({ outdir: '/nonexistent-unused' });
  const chart = new K8sChart(app, `livekit-valkey-${env.name}`, { disableResourceNameHashes: true });
  const valkey = new LiveKitValkey(chart, 'valkey', {
    namespace: valkeyNamespaceOf(env),
    livekitNamespace: env.livekit.namespace,
    passwordSecretName: LIVEKIT_VALKEY_SECRET,
    instance: `livekit-${env.name}`,
    version: env.version,
    livekitNodeCidrs: env.livekit.nodeCidrs,
    highAvailabilityEnv: env.highAvailability,
  });
  const objects = chart.toJson() as Record<string, any>[];
  assertPolicy(objects, { env: env.name, declaredExternal: { [valkeyNamespaceOf(env)]: [{ kind: 'Secret', name: LIVEKIT_VALKEY_SECRET }] } });
  return { objects, address: valkey.address };
}

export const LIVEKIT_EXEMPTIONS = {
  namespace: {
    'RSPP-NS-001':
      'LiveKit pods use hostNetwork and hostPort for WebRTC UDP media (ports %RANGE%); Pod Security admits them only at "privileged". ' +
      'Enforce is lowered in this namespace only; audit and warn stay "restricted".',
  },
  pod: {
    'RSPP-POD-001': 'WebRTC media needs the node network: LiveKit advertises the node address and receives UDP on %RANGE% without NAT.',
    'RSPP-POD-009': 'The LiveKit chart binds its WebRTC TCP port (%TCP%) as a hostPort: the media fallback when UDP is blocked.',
  },
} as const;

const fill = (text: string, env: EnvironmentConfig): string =>
  text.replaceAll('%RANGE%', `${env.livekit.udpPortRangeStart}-${env.livekit.udpPortRangeEnd}/udp`).replaceAll('%TCP%', `${LIVEKIT_PORTS.rtcTcp}/tcp`);

const exemptionAnnotations = (entries: Readonly<Record<string, string>>, env: EnvironmentConfig): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).map(([rule, reason]) => [`${EXEMPTION_ANNOTATION_PREFIX}${rule}`, fill(reason, env)]));

export interface LiveKitTransportProps {
  readonly env: EnvironmentConfig;
  /** Installed before LiveKit (cert-manager, observability). */
  readonly after: readonly ITerraformDependable[];
  readonly secretsRevision: TerraformVariable;
}

export class LiveKitTransport extends Construct {
  public readonly namespace: NamespaceV1;
  public readonly release: Release;
  /** LiveKit's Valkey objects (multi-node only), applied as `kubernetes_manifest`. */
  public readonly valkey: readonly Manifest[] = [];
  /** Name of the Secret holding `keys.yaml` (existing, or created from sensitive variables). */
  public readonly keysSecretName: string;
  /** LiveKit's own namespace (`env.livekit.namespace`). */
  public readonly namespaceName: string;

  constructor(scope: Construct, id: string, props: LiveKitTransportProps) {
    super(scope, id);
    const { env } = props;
    const { udpPortRangeStart: start, udpPortRangeEnd: end, replicas, namespace } = env.livekit;
    if (namespace === env.namespace) {
      throw new Error(`envs/${env.name}: livekit.namespace "${namespace}" is the platform namespace; LiveKit needs a namespace of its own (its Pod Security exemption must not cover the platform)`);
    }
    this.namespaceName = namespace;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 1024 && end <= 65535 && start <= end)) {
      throw new Error(`envs/${env.name}: livekit.udpPortRangeStart/udpPortRangeEnd (${start}-${end}) must be an unprivileged range, 1024 <= start <= end <= 65535 (as envs/schema.ts requires)`);
    }

    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: {
        name: namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          'app.kubernetes.io/part-of': 'rspp',
          'app.kubernetes.io/component': 'transport',
        },
        annotations: exemptionAnnotations(LIVEKIT_EXEMPTIONS.namespace, env),
      },
      dependsOn: [...props.after],
    });

    const dependsOn: ITerraformDependable[] = [this.namespace];
    if (env.livekit.apiKeySecretName) {
      this.keysSecretName = env.livekit.apiKeySecretName;
    } else {
      const apiKey = sensitiveInput(this, 'livekit_api_key', 'LiveKit API key (ephemeral: written to the cluster Secret only, never to state).');
      const apiSecret = sensitiveInput(this, 'livekit_api_secret', 'LiveKit API secret, at least 32 characters (ephemeral).');
      const secret = new SecretV1(this, 'api-keys', {
        metadata: { name: LIVEKIT_KEYS_SECRET, namespace },
        dataWo: { [LIVEKIT_KEY_FILE]: `${apiKey.stringValue}: ${apiSecret.stringValue}` },
        dataWoRevision: props.secretsRevision.numberValue,
        dependsOn: [this.namespace],
      });
      this.keysSecretName = LIVEKIT_KEYS_SECRET;
      dependsOn.push(secret);
    }

    const livekitConfig: Record<string, unknown> = {
      port: LIVEKIT_PORTS.signal,
      rtc: { tcp_port: LIVEKIT_PORTS.rtcTcp, port_range_start: start, port_range_end: end, use_external_ip: true },
      key_file: LIVEKIT_KEY_FILE,
    };
    let redisPassword: TerraformVariable | undefined;
    if (replicas > 1) {
      // Several LiveKit nodes route rooms through Redis; one node keeps its state in memory.
      redisPassword = sensitiveInput(this, 'livekit_redis_password', `Password of LiveKit's Valkey (ephemeral), 32-128 characters of [A-Za-z0-9._~+/=-].`);
      redisPassword.addOverride('validation', [{
        condition: `\${can(regex("${VALKEY_PASSWORD_PATTERN}", var.livekit_redis_password))}`,
        error_message: `livekit_redis_password must be 32-128 characters of A-Z a-z 0-9 . _ ~ + / = - (it is written into Valkey's requirepass).`,
      }]);
      const { objects, address } = valkeyObjects(env);
      const manifests: Manifest[] = [];
      const namespaceObject = objects.find((o) => o.kind === 'Namespace')!;
      const valkeyNamespace = new Manifest(this, 'valkey-namespace', { manifest: namespaceObject, dependsOn: [this.namespace] });
      const valkeySecret = new SecretV1(this, 'valkey-auth', {
        metadata: { name: LIVEKIT_VALKEY_SECRET, namespace: valkeyNamespaceOf(env) },
        dataWo: {
          [VALKEY_SECRET_KEYS.password]: redisPassword.stringValue,
          [VALKEY_SECRET_KEYS.config]: `requirepass "${redisPassword.stringValue}"\n`,
        },
        dataWoRevision: props.secretsRevision.numberValue,
        dependsOn: [valkeyNamespace],
      });
      for (const o of objects) {
        if (o === namespaceObject) continue;
        const m = new Manifest(this, `valkey-${o.kind.toLowerCase()}-${o.metadata.name}`, { manifest: o, dependsOn: [valkeySecret] });
        if (o.kind === 'Deployment') m.addOverride('wait', { rollout: true });
        manifests.push(m);
      }
      this.valkey = manifests;
      livekitConfig.redis = { address };
      dependsOn.push(...manifests);
    }

    this.release = new Release(this, 'server', {
      name: 'livekit-server',
      namespace,
      repository: LIVEKIT_SERVER_CHART.repository,
      chart: LIVEKIT_SERVER_CHART.chart,
      version: env.livekit.chartVersion,
      atomic: true,
      wait: true,
      timeout: RELEASE_TIMEOUTS.livekit,
      values: [stringify({
        replicaCount: replicas,
        podHostNetwork: true,
        livekit: livekitConfig,
        storeKeysInSecret: { enabled: true, existingSecret: this.keysSecretName },
        podAnnotations: {
          'sidecar.istio.io/inject': 'false',
          ...exemptionAnnotations(LIVEKIT_EXEMPTIONS.pod, env),
        },
        // One LiveKit pod per node: host ports cannot be shared.
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'livekit-server' } }, topologyKey: 'kubernetes.io/hostname' },
            ],
          },
        },
      }, { lineWidth: 0 })],
      ...(redisPassword ? { setWo: [{ name: 'livekit.redis.password', value: redisPassword.stringValue }], setWoRevision: props.secretsRevision.numberValue } : {}),
      dependsOn,
    });
  }
}
