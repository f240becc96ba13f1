import { FieldPath, ManifestObject, annotationsOf, asArray, asRecord, asString, namespaceOf, objectRef } from '../manifest-object';
import { ExternalRefKind, parseExternalRefs } from '../external-refs';
import { EXTERNAL_REFS_ANNOTATION } from '../policy-annotations';
import { PolicyContext, PolicyRule, PolicyViolation, violation } from '../policy-rule';
import { Workload } from '../workloads';

interface Reference {
  readonly kind: ExternalRefKind;
  readonly name: string;
  readonly path: FieldPath;
}

function nameAt(value: unknown, field: string): string | undefined {
  const record = asRecord(value);
  return record.optional === true ? undefined : asString(record[field]);
}

/** Every ConfigMap, Secret, ServiceAccount and PVC a pod template names, with where it names it. */
function referencesOf(w: Workload): Reference[] {
  const refs: Reference[] = [];
  const add = (kind: ExternalRefKind, name: string | undefined, path: FieldPath): void => {
    if (name !== undefined && name !== '') refs.push({ kind, name, path });
  };
  const spec = w.podSpec;
  const serviceAccount = asString(spec.serviceAccountName);
  if (serviceAccount !== 'default') add('ServiceAccount', serviceAccount, [...w.podSpecPath, 'serviceAccountName']);
  asArray(spec.imagePullSecrets).forEach((s, i) => add('Secret', asString(asRecord(s).name), [...w.podSpecPath, 'imagePullSecrets', i, 'name']));
  asArray(spec.volumes).forEach((raw, i) => {
    const volume = asRecord(raw);
    const path: FieldPath = [...w.podSpecPath, 'volumes', i];
    add('ConfigMap', nameAt(volume.configMap, 'name'), [...path, 'configMap', 'name']);
    add('Secret', nameAt(volume.secret, 'secretName'), [...path, 'secret', 'secretName']);
    add('PersistentVolumeClaim', asString(asRecord(volume.persistentVolumeClaim).claimName), [...path, 'persistentVolumeClaim', 'claimName']);
    asArray(asRecord(volume.projected).sources).forEach((source, j) => {
      const s = asRecord(source);
      add('ConfigMap', nameAt(s.configMap, 'name'), [...path, 'projected', 'sources', j, 'configMap', 'name']);
      add('Secret', nameAt(s.secret, 'name'), [...path, 'projected', 'sources', j, 'secret', 'name']);
    });
  });
  for (const c of w.containers) {
    asArray(c.container.env).forEach((raw, i) => {
      const from = asRecord(asRecord(raw).valueFrom);
      add('ConfigMap', nameAt(from.configMapKeyRef, 'name'), [...c.path, 'env', i, 'valueFrom', 'configMapKeyRef', 'name']);
      add('Secret', nameAt(from.secretKeyRef, 'name'), [...c.path, 'env', i, 'valueFrom', 'secretKeyRef', 'name']);
    });
    asArray(c.container.envFrom).forEach((raw, i) => {
      const source = asRecord(raw);
      add('ConfigMap', nameAt(source.configMapRef, 'name'), [...c.path, 'envFrom', i, 'configMapRef', 'name']);
      add('Secret', nameAt(source.secretRef, 'name'), [...c.path, 'envFrom', i, 'secretRef', 'name']);
    });
  }
  return refs;
}

/** Secrets the output creates indirectly: cert-manager writes each Certificate's `spec.secretName`. */
function producedSecretNames(ctx: PolicyContext, namespace: string | undefined): Set<string> {
  const names = new Set<string>();
  for (const certificate of ctx.objectsOfKind('Certificate', namespace)) {
    const name = asString(asRecord(certificate.spec).secretName);
    if (name !== undefined) names.add(name);
  }
  return names;
}

function exists(ctx: PolicyContext, kind: ExternalRefKind, namespace: string | undefined, name: string): boolean {
  if (ctx.objectsOfKind(kind, namespace).some((o) => objectRef(o).name === name)) return true;
  return kind === 'Secret' && producedSecretNames(ctx, namespace).has(name);
}

function checkReference(ctx: PolicyContext, referrer: ManifestObject, namespace: string | undefined, ref: Reference): PolicyViolation[] {
  if (exists(ctx, ref.kind, namespace, ref.name) || ctx.externalRefs.isDeclared(referrer, namespace, ref.kind, ref.name)) return [];
  return [violation(referrer, ref.path, `${ref.kind} "${ref.name}" is not in the output and not declared external`)];
}

/** Volume mounts must name a pod volume or (StatefulSet) a volumeClaimTemplate. */
function checkVolumeMounts(w: Workload): PolicyViolation[] {
  const volumes = new Set(asArray(w.podSpec.volumes).map((v) => asString(asRecord(v).name)));
  if (w.kind === 'StatefulSet') {
    for (const template of asArray(asRecord(w.object.spec).volumeClaimTemplates)) {
      volumes.add(asString(asRecord(asRecord(template).metadata).name));
    }
  }
  const out: PolicyViolation[] = [];
  for (const c of w.containers) {
    asArray(c.container.volumeMounts).forEach((raw, i) => {
      const name = asString(asRecord(raw).name);
      if (!volumes.has(name)) {
        out.push(violation(w.object, [...c.path, 'volumeMounts', i, 'name'], `container "${c.name}" mounts "${name ?? ''}", which is neither a volume nor a volumeClaimTemplate`));
      }
    });
  }
  return out;
}

export const RSPP_META_003: PolicyRule = {
  id: 'RSPP-META-003',
  title: 'every referenced ConfigMap, Secret, ServiceAccount and PVC template exists in the output or is declared external',
  why: 'A pod that references a missing object never starts (CreateContainerConfigError, Pending), and the failure shows only at deploy time.',
  fix: `add the object to the output, or declare it external (${EXTERNAL_REFS_ANNOTATION} annotation or the declaredExternal option)`,
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const object of ctx.objects) {
      const annotation = annotationsOf(object)[EXTERNAL_REFS_ANNOTATION];
      if (annotation === undefined) continue;
      try {
        parseExternalRefs(annotation);
      } catch (error) {
        out.push(violation(object, ['metadata', 'annotations', EXTERNAL_REFS_ANNOTATION], (error as Error).message));
      }
    }
    for (const w of ctx.workloads) {
      const namespace = namespaceOf(w.object);
      for (const ref of referencesOf(w)) out.push(...checkReference(ctx, w.object, namespace, ref));
      out.push(...checkVolumeMounts(w));
    }
    // A cert-manager CA Issuer signs with the keypair in its namespace's `spec.ca.secretName`.
    for (const issuer of ctx.objectsOfKind('Issuer')) {
      const name = asString(asRecord(asRecord(issuer.spec).ca).secretName);
      if (name === undefined) continue;
      out.push(...checkReference(ctx, issuer, namespaceOf(issuer), { kind: 'Secret', name, path: ['spec', 'ca', 'secretName'] }));
    }
    for (const binding of [...ctx.objectsOfKind('RoleBinding'), ...ctx.objectsOfKind('ClusterRoleBinding')]) {
      asArray(binding.subjects).forEach((raw, i) => {
        const subject = asRecord(raw);
        const name = asString(subject.name);
        if (subject.kind !== 'ServiceAccount' || name === undefined) return;
        const namespace = asString(subject.namespace) ?? namespaceOf(binding);
        out.push(...checkReference(ctx, binding, namespace, { kind: 'ServiceAccount', name, path: ['subjects', i, 'name'] }));
      });
    }
    return out;
  },
};
