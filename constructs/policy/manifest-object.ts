/**
 * The plain-JSON view of a synthesized Kubernetes object that the policy checks and the offline
 * validation both work on, and the one way to name an object and a field in a message:
 * `Kind/namespace/name field.path`.
 *
 * Input is whatever a synth produced, so nothing here trusts a field's type: readers go through
 * `asRecord` / `asArray` / `asString`, which return empty values for anything malformed (the offline
 * validation reports the malformation itself).
 */

/** One synthesized object, as parsed from the synth output (YAML/JSON). */
export type ManifestObject = Readonly<Record<string, unknown>>;

/** A field path inside an object: property names and array indexes, outermost first. */
export type FieldPath = readonly (string | number)[];

/** Namespace segment printed for cluster-scoped objects and for objects that set no namespace. */
export const NO_NAMESPACE = '-';

/**
 * Kinds that are cluster-scoped in the APIs our constructs use. Everything else is namespaced.
 * Used to decide which objects belong to a namespace (RSPP-NS-002, RSPP-NET-001).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'IngressClass',
  'RuntimeClass',
  'PriorityClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'ClusterIssuer',
]);

/** Identity of an object in messages and lookups. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** `metadata.namespace`, or undefined when unset. */
  readonly namespace?: string;
  readonly name: string;
}

export function asRecord(value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `metadata.labels` / `metadata.annotations` style string maps; non-string values are dropped. */
export function asStringMap(value: unknown): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(asRecord(value))) {
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

export function objectRef(object: ManifestObject): ObjectRef {
  const metadata = asRecord(object.metadata);
  return {
    apiVersion: asString(object.apiVersion) ?? '?',
    kind: asString(object.kind) ?? '?',
    namespace: asString(metadata.namespace),
    name: asString(metadata.name) ?? asString(metadata.generateName) ?? '?',
  };
}

/** `Kind/namespace/name`; the namespace segment is `-` when the object has none. */
export function formatObjectRef(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? NO_NAMESPACE}/${ref.name}`;
}

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}

/**
 * The namespace an object lives in: `metadata.namespace`, or `undefined` for cluster-scoped
 * objects. A namespaced object without `metadata.namespace` is applied to kubectl's current
 * namespace; it is grouped under `NO_NAMESPACE`.
 */
export function namespaceOf(object: ManifestObject): string | undefined {
  const ref = objectRef(object);
  if (isClusterScoped(ref.kind)) return undefined;
  return ref.namespace ?? NO_NAMESPACE;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * `spec.template.spec.containers[0].image`; keys that are not plain identifiers (annotation and
 * label keys) are bracketed: `metadata.annotations["rspp.io/drain-seconds"]`.
 */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(object)' : out;
}

/** The object's annotations (`metadata.annotations`), string values only. */
export function annotationsOf(object: ManifestObject): Readonly<Record<string, string>> {
  return asStringMap(asRecord(object.metadata).annotations);
}

/** The object's labels (`metadata.labels`), string values only. */
export function labelsOf(object: ManifestObject): Readonly<Record<string, string>> {
  return asStringMap(asRecord(object.metadata).labels);
}
