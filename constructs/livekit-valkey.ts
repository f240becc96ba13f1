/**
 * `LiveKitValkey`: the Redis-compatible store multi-node LiveKit routes rooms through, as our own
 * small construct under the manifest policy (it replaces the Bitnami `redis` chart, whose versioned
 * images were removed from Docker Hub: bitnami/charts #36313, #35164).
 *
 * - Its own namespace (Pod Security `restricted`, ResourceQuota, LimitRange, default-deny), never the
 *   LiveKit namespace, which enforces `privileged` for LiveKit's host networking.
 * - The official Valkey image pinned by digest (`envs/third-party-images.ts`), uid 999, read-only
 *   root, RuntimeDefault seccomp, every capability dropped, `/data` an emptyDir (routing state is
 *   ephemeral: LiveKit nodes re-register; no persistence, as the Bitnami setup had).
 * - The password comes from a Secret the Terraform stack writes (write-only, from an ephemeral
 *   variable): key `valkey.conf` (`requirepass "<password>"`) is the config file valkey-server is
 *   started with, key `password` feeds the readiness probe (`REDISCLI_AUTH`, a secretKeyRef). The
 *   password is never in a ConfigMap, an argument or an env value.
 * - Ingress on 6379 only from the LiveKit namespace (every pod of it), plus, when the LiveKit nodes
 *   are given (`livekit.nodeCidrs`, for CNIs that cannot select host-network pods), from those node
 *   CIDRs on 6379 only: an `ipBlock` policy exempted from RSPP-NET-002 with its reason, like
 *   `LiveKitNodeEgress`. No egress at all (Valkey calls nothing, not even DNS).
 * - One replica (LiveKit's `redis.address` is a single primary; Sentinel is not wired), so in
 *   stage/prod the Deployment carries written RSPP-HA-001 exemption: this is LiveKit's store, and
 *   the only exemptions of the platform stay with LiveKit.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ResourceSpec } from '../envs/environment-config';
import { liveKitNodeCidrProblem } from '../envs/livekit';
import { VALKEY_IMAGE, VALKEY_UID } from '../envs/third-party-images';
import { assertPinnedImage } from './common/image';
import { isDnsLabel } from './common/kubernetes-names';
import { recommendedLabels, selectorLabels } from './common/labels';
import { allPodsOfNamespace, networkPolicyPeer, networkPolicyPorts } from './common/network-policy';
import { containerResources } from './common/quantities';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './common/security-context';
import { RESTRICTED_POD_SECURITY } from './mtls-baseline';
import { FLOW_DESCRIPTION_ANNOTATION } from './network-flows';
import { exemptFromPolicy } from './policy/exemptions';
import { declareExternalRefs } from './policy/external-refs';

/** Valkey's (Redis's) port. */
export const VALKEY_PORT = 6379;
/** Keys of the password Secret (written by the Terraform stack). */
export const VALKEY_SECRET_KEYS = { config: 'valkey.conf', password: 'password' } as const;
/** Where the Secret's `valkey.conf` is mounted; valkey-server reads it as its config file. */
export const VALKEY_AUTH_MOUNT_PATH = '/etc/valkey/auth';

export const VALKEY_HA_EXEMPTION_REASON =
  'LiveKit routes rooms through one Redis primary (livekit.redis.address); a second Valkey replica would need Sentinel, which is not wired. ' +
  'Routing state is ephemeral (LiveKit nodes re-register after a Valkey restart); media of running rooms does not pass through it.';

export const VALKEY_NODE_INGRESS_EXEMPTION_REASON =
  'LiveKit runs with hostNetwork; host-network pods are not selectable by pod/namespace selectors on common CNIs (Calico, Cilium), ' +
  'so LiveKit reaches Valkey from its node addresses (livekit.nodeCidrs); scoped to the Valkey port only';

const DEFAULT_RESOURCES: ResourceSpec = { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '256Mi' };

export interface LiveKitValkeyProps {
  /** Namespace of Valkey, created here (not LiveKit's: that one is `privileged`). */
  readonly namespace: string;
  /** LiveKit's namespace: every pod of it may connect on 6379. */
  readonly livekitNamespace: string;
  /** Name of the Secret (in `namespace`) with `valkey.conf` and `password`; created outside (Terraform, write-only). */
  readonly passwordSecretName: string;
  /** `app.kubernetes.io/instance`. */
  readonly instance: string;
  /** `app.kubernetes.io/version`. */
  readonly version: string;
  /** LiveKit node CIDRs (`livekit.nodeCidrs`), for CNIs that cannot select host-network pods. @default none */
  readonly livekitNodeCidrs?: readonly string[];
  /** @default VALKEY_IMAGE.reference */
  readonly image?: string;
  /** Largest dataset, passed as `maxmemory` (kept under the memory limit). @default '192mb' */
  readonly maxMemory?: string;
  /** @default 100m / 128Mi / 256Mi */
  readonly resources?: ResourceSpec;
  /** Stage/prod: writes the RSPP-HA-001 exemption (one replica). */
  readonly highAvailabilityEnv: boolean;
}

export class LiveKitValkey extends Construct {
  /** Service name; `address` is what LiveKit's `redis.address` gets. */
  public readonly serviceName: string;
  /** `<service>.<namespace>.svc.cluster.local:6379`. */
  public readonly address: string;
  public readonly namespace: string;
  public readonly image: string;

  public constructor(scope: Construct, id: string, props: LiveKitValkeyProps) {
    super(scope, id);
    const where = `LiveKitValkey(${id})`;
    for (const [prop, value] of [['namespace', props.namespace], ['livekitNamespace', props.livekitNamespace], ['passwordSecretName', props.passwordSecretName]] as const) {
      if (!isDnsLabel(value)) throw new Error(`${where}: props.${prop} "${value}" is not a DNS label`);
    }
    if (props.namespace === props.livekitNamespace) {
      throw new Error(`${where}: props.namespace "${props.namespace}" is LiveKit's namespace; Valkey needs a restricted namespace of its own`);
    }
    (props.livekitNodeCidrs ?? []).forEach((cidr, i) => {
      const problem = liveKitNodeCidrProblem(cidr);
      if (problem !== undefined) throw new Error(`${where}: props.livekitNodeCidrs[${i}]: ${problem}`);
    });
    const maxMemory = props.maxMemory ?? '192mb';
    if (!/^[1-9][0-9]*(kb|mb|gb)$/.test(maxMemory)) throw new Error(`${where}: props.maxMemory "${maxMemory}" must be a Valkey size like 192mb`);
    this.image = assertPinnedImage(where, 'image', props.image ?? VALKEY_IMAGE.reference);
    const resources = containerResources(props.resources ?? DEFAULT_RESOURCES, where);
    const ns = props.namespace;
    this.namespace = ns;
    this.serviceName = 'livekit-valkey';
    this.address = `${this.serviceName}.${ns}.svc.cluster.local:${VALKEY_PORT}`;

    const component = 'transport-store';
    const identity = { name: 'livekit-valkey', instance: props.instance, version: props.version, component };
    const labels = recommendedLabels(identity, where);
    const selector = selectorLabels(identity, where);

    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: ns,
        labels: { ...labels, ...RESTRICTED_POD_SECURITY },
      },
    });
    new k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: 'livekit-valkey-quota', namespace: ns, labels },
      spec: { hard: { 'requests.cpu': k8s.Quantity.fromString('1'), 'requests.memory': k8s.Quantity.fromString('1Gi'), 'limits.memory': k8s.Quantity.fromString('1Gi'), pods: k8s.Quantity.fromNumber(4) } },
    });
    new k8s.KubeLimitRange(this, 'limits', {
      metadata: { name: 'livekit-valkey-container-defaults', namespace: ns, labels },
      spec: { limits: [{ type: 'Container', defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') }, default: { memory: k8s.Quantity.fromString('256Mi') } }] },
    });
    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny-all', namespace: ns, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'allow-livekit', {
      metadata: {
        name: 'allow-ingress-livekit-to-valkey',
        namespace: ns,
        labels,
        annotations: { [FLOW_DESCRIPTION_ANNOTATION]: `LiveKit (namespace ${props.livekitNamespace}) -> Valkey: multi-node room routing` },
      },
      spec: {
        podSelector: { matchLabels: { ...selector } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [networkPolicyPeer(allPodsOfNamespace(props.livekitNamespace))], ports: networkPolicyPorts([{ port: VALKEY_PORT }]) }],
      },
    });
    if (props.livekitNodeCidrs !== undefined && props.livekitNodeCidrs.length > 0) {
      const nodes = new k8s.KubeNetworkPolicy(this, 'allow-livekit-nodes', {
        metadata: {
          name: 'allow-ingress-livekit-nodes-to-valkey',
          namespace: ns,
          labels,
          annotations: { [FLOW_DESCRIPTION_ANNOTATION]: 'LiveKit at its node addresses (hostNetwork) -> Valkey, on the Valkey port only' },
        },
        spec: {
          podSelector: { matchLabels: { ...selector } },
          policyTypes: ['Ingress'],
          ingress: [{ from: props.livekitNodeCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: networkPolicyPorts([{ port: VALKEY_PORT }]) }],
        },
      });
      exemptFromPolicy(nodes, 'RSPP-NET-002', VALKEY_NODE_INGRESS_EXEMPTION_REASON);
    }

    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: { name: 'livekit-valkey', namespace: ns, labels },
      automountServiceAccountToken: false,
    });
    const ids = { runAsUser: VALKEY_UID };
    const deployment = new ApiObject(this, 'deployment', {
      ...k8s.KubeDeployment.GVK,
      metadata: { name: 'livekit-valkey', namespace: ns, labels },
      spec: k8s.toJson_DeploymentSpec({
        replicas: 1,
        revisionHistoryLimit: 3,
        // One primary: never two with the same name at once.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { ...selector } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'livekit-valkey',
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(ids, where),
            terminationGracePeriodSeconds: 10,
            containers: [{
              name: 'valkey',
              image: this.image,
              command: ['valkey-server'],
              args: [
                `${VALKEY_AUTH_MOUNT_PATH}/${VALKEY_SECRET_KEYS.config}`,
                '--port', String(VALKEY_PORT),
                '--dir', '/data',
                '--save', '',
                '--appendonly', 'no',
                '--maxmemory', maxMemory,
                '--maxmemory-policy', 'noeviction',
              ],
              env: [{ name: 'REDISCLI_AUTH', valueFrom: { secretKeyRef: { name: props.passwordSecretName, key: VALKEY_SECRET_KEYS.password } } }],
              ports: [{ name: 'valkey', containerPort: VALKEY_PORT, protocol: 'TCP' }],
              livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('valkey') }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
              readinessProbe: {
                exec: { command: ['sh', '-c', 'test "$(valkey-cli -p 6379 ping)" = PONG'] },
                periodSeconds: 5,
                timeoutSeconds: 2,
                failureThreshold: 2,
              },
              resources,
              securityContext: restrictedContainerSecurityContext(ids, where),
              volumeMounts: [
                { name: 'auth', mountPath: VALKEY_AUTH_MOUNT_PATH, readOnly: true },
                { name: 'data', mountPath: '/data' },
              ],
            }],
            volumes: [
              { name: 'auth', secret: { secretName: props.passwordSecretName, defaultMode: 0o440, items: [{ key: VALKEY_SECRET_KEYS.config, path: VALKEY_SECRET_KEYS.config }] } },
              { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
            ],
          },
        },
      }),
    });
    declareExternalRefs(deployment, [{ kind: 'Secret', name: props.passwordSecretName }]);
    if (props.highAvailabilityEnv) exemptFromPolicy(deployment, 'RSPP-HA-001', VALKEY_HA_EXEMPTION_REASON);

    new k8s.KubeService(this, 'service', {
      metadata: { name: this.serviceName, namespace: ns, labels },
      spec: {
        selector: { ...selector },
        ports: [{ name: 'valkey', port: VALKEY_PORT, targetPort: k8s.IntOrString.fromString('valkey'), protocol: 'TCP' }],
      },
    });
  }
}
