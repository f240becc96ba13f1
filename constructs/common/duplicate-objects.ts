/**
 * Duplicate Kubernetes objects over a whole cdk8s app: two `ApiObject`s with the same apiVersion
 * group, kind, namespace and name would overwrite each other on apply (the second silently wins).
 * Checked before anything is written, by every synth path (`npm run synth`, the Helm emitter), and
 * reported with both construct paths, so the fix (another namespace, instance or name) is obvious.
 */
import { ApiObject, App } from 'cdk8s';

/** `group/kind namespace/name`; the version is left out (v1 and v2 of one kind are the same object). */
function identity(object: ApiObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : 'core';
  // from the object as it is written (cluster-scoped kinds drop the chart's namespace there)
  const namespace = (object.toJson() as { metadata?: { namespace?: string } }).metadata?.namespace ?? '-';
  return `${group}/${object.kind} ${namespace}/${object.name}`;
}

/** One line per duplicate: the object and the construct paths that both make it. */
export function findDuplicateObjects(app: App): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const object of app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const id = identity(object);
    const first = seen.get(id);
    if (first === undefined) seen.set(id, object.node.path);
    else problems.push(`${id} is made by both ${first} and ${object.node.path}`);
  }
  return problems;
}

/** Throws one error listing every duplicate object, with the fix. */
export function assertNoDuplicateObjects(app: App): void {
  const problems = findDuplicateObjects(app);
  if (problems.length > 0) {
    throw new Error(
      `${problems.length} duplicate Kubernetes object(s) (the same kind, namespace and name would overwrite each other on apply):\n  - ${problems.join('\n  - ')}\n` +
        'Give each RsppPlatform its own namespace (props.namespace) or distinct object names (props.names), or remove the second construct.',
    );
  }
}
