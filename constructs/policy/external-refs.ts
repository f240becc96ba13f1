/**
 * RSPP-META-003 declarations: ConfigMaps, Secrets, ServiceAccounts and PVCs that a workload
 * references but that are not in the synth output because they exist in the cluster already
 * (a CA keypair, an external etcd's client certificate, LiveKit API keys).
 *
 * Two ways to declare one, both explicit:
 * - next to the referencing object: the `rspp.io/external-refs` annotation (`declareExternalRefs`);
 * - app-wide: the `declaredExternal` option of `checkPolicy`, for names the env config supplies.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ManifestObject, annotationsOf } from './manifest-object';
import { EXTERNAL_REFS_ANNOTATION } from './policy-annotations';

export const EXTERNAL_REF_KINDS = ['ConfigMap', 'Secret', 'ServiceAccount', 'PersistentVolumeClaim'] as const;
export type ExternalRefKind = (typeof EXTERNAL_REF_KINDS)[number];

/**
 * App-wide external declarations, by kind. Each entry is `name` (any namespace) or
 * `namespace/name`.
 */
export interface DeclaredExternalRefs {
  readonly configMaps?: readonly string[];
  readonly secrets?: readonly string[];
  readonly serviceAccounts?: readonly string[];
  readonly persistentVolumeClaims?: readonly string[];
}

const OPTION_KEYS: Readonly<Record<ExternalRefKind, keyof DeclaredExternalRefs>> = {
  ConfigMap: 'configMaps',
  Secret: 'secrets',
  ServiceAccount: 'serviceAccounts',
  PersistentVolumeClaim: 'persistentVolumeClaims',
};

export interface ExternalRef {
  readonly kind: ExternalRefKind;
  readonly name: string;
}

function isExternalRefKind(kind: string): kind is ExternalRefKind {
  return (EXTERNAL_REF_KINDS as readonly string[]).includes(kind);
}

/** Parses `Kind/name, Kind/name`. Throws with the offending entry and the accepted form. */
export function parseExternalRefs(value: string): readonly ExternalRef[] {
  const refs: ExternalRef[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const [kind, name, ...rest] = entry.split('/');
    if (rest.length > 0 || !kind || !name || !isExternalRefKind(kind)) {
      throw new Error(
        `${EXTERNAL_REFS_ANNOTATION}: "${entry}" is not Kind/name with Kind one of ${EXTERNAL_REF_KINDS.join(', ')}`,
      );
    }
    refs.push({ kind, name });
  }
  return refs;
}

/** Answers "is this reference declared external?" for a referencing object. */
export class ExternalRefs {
  constructor(private readonly declared: DeclaredExternalRefs = {}) {}

  isDeclared(referencingObject: ManifestObject, namespace: string | undefined, kind: ExternalRefKind, name: string): boolean {
    const names = this.declared[OPTION_KEYS[kind]] ?? [];
    if (names.includes(name) || (namespace !== undefined && names.includes(`${namespace}/${name}`))) return true;
    const annotation = annotationsOf(referencingObject)[EXTERNAL_REFS_ANNOTATION];
    if (annotation === undefined) return false;
    try {
      return parseExternalRefs(annotation).some((ref) => ref.kind === kind && ref.name === name);
    } catch {
      return false; // a malformed annotation declares nothing; RSPP-META-003 reports it
    }
  }
}

/** An annotation already set on a cdk8s ApiObject (cdk8s has `getLabel` but no `getAnnotation`). */
export function annotationOf(apiObject: ApiObject, key: string): string | undefined {
  return annotationsOf({ metadata: apiObject.metadata.toJson() })[key];
}

/**
 * Declares, on the object that references them, refs that exist in the cluster but not in the
 * output. Merges with refs declared earlier on the same object.
 *
 * @example declareExternalRefs(deployment, [{ kind: 'Secret', name: env.leaseStore.tlsSecretName }])
 */
export function declareExternalRefs(target: IConstruct, refs: readonly ExternalRef[]): void {
  const apiObject = ApiObject.of(target);
  for (const ref of refs) {
    if (!isExternalRefKind(ref.kind)) {
      throw new Error(`declareExternalRefs: kind "${ref.kind}" is not one of ${EXTERNAL_REF_KINDS.join(', ')}`);
    }
    if (ref.name.trim() === '' || ref.name.includes('/') || ref.name.includes(',')) {
      throw new Error(`declareExternalRefs: name "${ref.name}" of ${ref.kind} must be a plain object name`);
    }
  }
  const existing = annotationOf(apiObject, EXTERNAL_REFS_ANNOTATION);
  const merged = [...(existing ? parseExternalRefs(existing) : []), ...refs];
  const unique = [...new Set(merged.map((r) => `${r.kind}/${r.name}`))];
  apiObject.metadata.addAnnotation(EXTERNAL_REFS_ANNOTATION, unique.join(', '));
}
