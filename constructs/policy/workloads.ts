/**
 * Where the pod template lives in each workload kind, so pod rules are written once against a
 * `PodSpec` and report paths that are right for the kind (`spec.template.spec...` for a Deployment,
 * `spec.jobTemplate.spec.template.spec...` for a CronJob, `spec...` for a bare Pod).
 */
import {
  FieldPath,
  ManifestObject,
  annotationsOf,
  asArray,
  asRecord,
  asString,
  asStringMap,
  objectRef,
} from './manifest-object';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob' | 'Pod';

/** Path from the object root to the pod template (`metadata` + `spec`); `[]` for a bare Pod. */
const POD_TEMPLATE_PATHS: Readonly<Record<WorkloadKind, FieldPath>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/** Helm marks test pods with this annotation; they are run-to-completion, not long-running. */
const HELM_HOOK_ANNOTATION = 'helm.sh/hook';
const HELM_TEST_HOOKS = new Set(['test', 'test-success', 'test-failure']);

export type ContainerGroup = 'initContainers' | 'containers' | 'ephemeralContainers';

export interface WorkloadContainer {
  readonly group: ContainerGroup;
  readonly index: number;
  readonly name: string;
  readonly container: Readonly<Record<string, unknown>>;
  /** Path from the object root to this container. */
  readonly path: FieldPath;
  /**
   * Runs for the life of the pod: a regular container of a long-running workload, or a native
   * sidecar (an init container with `restartPolicy: Always`).
   */
  readonly longRunning: boolean;
}

export interface Workload {
  readonly object: ManifestObject;
  readonly kind: WorkloadKind;
  readonly namespace: string | undefined;
  readonly name: string;
  /** `metadata` of the pod template (the Pod's own metadata for a bare Pod). */
  readonly podMetadata: Readonly<Record<string, unknown>>;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly podMetadataPath: FieldPath;
  readonly podSpec: Readonly<Record<string, unknown>>;
  readonly podSpecPath: FieldPath;
  /** Not a Job, CronJob, run-to-completion Pod or Helm test hook. */
  readonly longRunning: boolean;
  readonly containers: readonly WorkloadContainer[];
}

export function isWorkloadKind(kind: unknown): kind is WorkloadKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(POD_TEMPLATE_PATHS, kind);
}

function valueAt(object: unknown, path: FieldPath): unknown {
  let current: unknown = object;
  for (const segment of path) {
    current = typeof segment === 'number' ? asArray(current)[segment] : asRecord(current)[segment];
  }
  return current;
}

function isLongRunning(kind: WorkloadKind, object: ManifestObject, podSpec: Readonly<Record<string, unknown>>): boolean {
  if (kind === 'Job' || kind === 'CronJob') return false;
  const hook = annotationsOf(object)[HELM_HOOK_ANNOTATION];
  if (hook !== undefined && hook.split(',').some((h) => HELM_TEST_HOOKS.has(h.trim()))) return false;
  if (kind === 'Pod') {
    const restartPolicy = asString(podSpec.restartPolicy);
    return restartPolicy === undefined || restartPolicy === 'Always';
  }
  return true;
}

/** The workload view of an object, or undefined when the object runs no pods. */
export function workloadOf(object: ManifestObject): Workload | undefined {
  const kind = object.kind;
  if (!isWorkloadKind(kind)) return undefined;
  const templatePath = POD_TEMPLATE_PATHS[kind];
  const template = asRecord(valueAt(object, templatePath));
  const podMetadata = asRecord(template.metadata);
  const podSpec = asRecord(template.spec);
  const podSpecPath: FieldPath = [...templatePath, 'spec'];
  const longRunning = isLongRunning(kind, object, podSpec);
  const containers: WorkloadContainer[] = [];
  for (const group of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    asArray(podSpec[group]).forEach((raw, index) => {
      const container = asRecord(raw);
      const sidecar = group === 'initContainers' && container.restartPolicy === 'Always';
      containers.push({
        group,
        index,
        name: asString(container.name) ?? `#${index}`,
        container,
        path: [...podSpecPath, group, index],
        longRunning: longRunning && (group === 'containers' || sidecar),
      });
    });
  }
  const ref = objectRef(object);
  return {
    object,
    kind,
    namespace: ref.namespace,
    name: ref.name,
    podMetadata,
    podLabels: asStringMap(podMetadata.labels),
    podAnnotations: asStringMap(podMetadata.annotations),
    podMetadataPath: [...templatePath, 'metadata'],
    podSpec,
    podSpecPath,
    longRunning,
    containers,
  };
}

/** Regular and init containers: the ones whose security settings and resources matter. */
export function runnableContainers(workload: Workload): readonly WorkloadContainer[] {
  return workload.containers.filter((c) => c.group !== 'ephemeralContainers');
}
