/**
 * The `helm test` hook of the rspp-runtime chart: a Pod that asks the runtime Service for
 * `/readyz` on the admin port and exits 0 only on HTTP 200.
 *
 * It reuses the runtime image (already pulled, pinned by digest), whose entrypoint is `node`, with a
 * `-e` one-liner as its arguments, so the test needs no extra image. It is held to the same manifest policy as everything else: a dedicated
 * ServiceAccount without a token, the restricted security context, requests and limits, and its
 * own NetworkPolicies (the namespace is default-deny), which are hooks too and so exist only while
 * the test runs.
 */
import { ADMIN_PORT, PATHS, PORT_NAMES } from '../../runtime/contracts/runtime-interface';
import { LABEL_KEYS } from '../common/labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/security-context';
import type { HelmTunable } from './helm-tunables';
import type { KubeObject } from './synthesized-objects';
import type { LeafTemplate } from './helm-template-writer';

/** How long the probe waits for an answer before failing the test. */
export const READYZ_TEST_TIMEOUT_SECONDS = 10;

export interface HookObject {
  readonly manifest: KubeObject;
  /** Leaves that are Helm values (the runtime image). */
  readonly leaves: readonly LeafTemplate[];
}

interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
}

/** The runtime Service that exposes the admin port, with the port number it answers on. */
function findAdminService(runtimeObjects: readonly KubeObject[]): { service: KubeObject; port: number; selector: Record<string, string> } {
  for (const object of runtimeObjects) {
    if (object.kind !== 'Service') continue;
    const spec = object.spec as { ports?: ServicePort[]; selector?: Record<string, string> } | undefined;
    const port = spec?.ports?.find((p) => p.name === PORT_NAMES.admin || p.targetPort === PORT_NAMES.admin || p.targetPort === ADMIN_PORT || p.port === ADMIN_PORT);
    if (port && spec?.selector) return { service: object, port: port.port, selector: spec.selector };
  }
  throw new Error(
    `helm emitter: no Service among the runtime objects exposes the admin port (${PORT_NAMES.admin}/${ADMIN_PORT}); ` +
      `the helm test hook needs one to reach ${PATHS.readyz}. Expose the admin port on the runtime Service.`,
  );
}

const hookAnnotations = (weight: number): Record<string, string> => ({
  'helm.sh/hook': 'test',
  'helm.sh/hook-weight': String(weight),
  'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
});

/**
 * The hook objects for the runtime's namespace. `image` is the runtime image tunable, so the test
 * always runs the image the release deploys.
 */
export function readyzTestHook(runtimeObjects: readonly KubeObject[], image: HelmTunable, envImage: string): HookObject[] {
  const { service, port, selector } = findAdminService(runtimeObjects);
  const namespace = service.metadata.namespace;
  if (!namespace) throw new Error(`helm emitter: runtime Service ${service.metadata.name} has no namespace; the test hook must run beside it`);
  const serviceLabels = (service.metadata.labels ?? {}) as Record<string, string>;
  const name = `${service.metadata.name}-readyz-test`.slice(0, 63).replace(/-+$/, '');
  const labels: Record<string, string> = {
    ...serviceLabels,
    [LABEL_KEYS.name]: name,
    [LABEL_KEYS.component]: 'helm-test',
  };
  const testSelector = { [LABEL_KEYS.name]: name, [LABEL_KEYS.component]: 'helm-test' };
  const url = `http://${service.metadata.name}.${namespace}.svc:${port}${PATHS.readyz}`;
  const script =
    `const r=require('http').get(${JSON.stringify(url)},{timeout:${READYZ_TEST_TIMEOUT_SECONDS * 1000}},(s)=>{` +
    `console.log('GET ${url} ->',s.statusCode);process.exit(s.statusCode===200?0:1)});` +
    `r.on('timeout',()=>{console.error('timeout');r.destroy();process.exit(1)});r.on('error',(e)=>{console.error(e.message);process.exit(1)});`;

  const meta = (objectName: string, weight: number) => ({ name: objectName, namespace, labels, annotations: hookAnnotations(weight) });
  const serviceAccount: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, -10), automountServiceAccountToken: false };
  const egress: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(`${name}-egress`, -10),
    spec: {
      podSelector: { matchLabels: testSelector },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: selector } }], ports: [{ protocol: 'TCP', port: ADMIN_PORT }] },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
      ],
    },
  };
  const ingress: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(`${name}-ingress`, -10),
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: testSelector } }], ports: [{ protocol: 'TCP', port: ADMIN_PORT }] }],
    },
  };
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, 0),
    spec: {
      restartPolicy: 'Never',
      serviceAccountName: name,
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext({}, 'helm test hook'),
      containers: [
        {
          name: 'readyz',
          image: envImage,
          imagePullPolicy: 'IfNotPresent',
          // The runtime image's entrypoint is node (runtime/image); `args` replaces only its script.
          args: ['-e', script],
          securityContext: restrictedContainerSecurityContext({}, 'helm test hook'),
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
        },
      ],
    },
  };
  const imageLeaf: LeafTemplate = { path: ['spec', 'containers', 0, 'image'], segments: [{ tunable: image }] };
  return [
    { manifest: serviceAccount, leaves: [] },
    { manifest: egress, leaves: [] },
    { manifest: ingress, leaves: [] },
    { manifest: pod, leaves: [imageLeaf] },
  ];
}
