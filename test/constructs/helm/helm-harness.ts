/**
 * Test harness: runs the repo's Helm 4 binary (via `constructs/helm/helm-cli`) and parses multi-document YAML.
 */
import { parseAllDocuments } from 'yaml';
import { runHelm } from '../../../constructs/helm/helm-cli';

export interface HelmRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function helm(args: readonly string[], cwd?: string): HelmRun {
  const r = runHelm(args, { cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: r.millis };
}

/** The non-empty documents of a multi-document YAML stream, as plain objects (YAML 1.1, as Helm reads). */
export function parseManifests(text: string): Record<string, any>[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`YAML error: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as Record<string, any> | null;
    })
    .filter((doc): doc is Record<string, any> => doc !== null && typeof doc === 'object');
}

export const keyOf = (o: Record<string, any>): string => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? '-'}/${o.metadata?.name}`;

export const isHook = (o: Record<string, any>): boolean => Boolean(o.metadata?.annotations?.['helm.sh/hook']);

/** Objects keyed by apiVersion/kind/namespace/name; throws on duplicates. */
export function byKey(objects: readonly Record<string, any>[]): Map<string, Record<string, any>> {
  const map = new Map<string, Record<string, any>>();
  for (const o of objects) {
    if (map.has(keyOf(o))) throw new Error(`duplicate object ${keyOf(o)}`);
    map.set(keyOf(o), o);
  }
  return map;
}
