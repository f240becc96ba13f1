/**
 * Finds where each tunable lands by comparing two synth passes of the same construct tree: the env
 * as given (baseline) and the env with every tunable set to its sentinel (probe).
 *
 * A leaf that differs between the passes is either
 * - *templated*: the probe value is the sentinel (numbers), or the probe string with each sentinel
 *   put back to the env value equals the baseline string (strings; a value may sit inside a longer
 *   string such as a config file), or the leaf keeps a constant distance to exactly one numeric
 *   value in both passes (numbers: `replicas - 1` is templated as `add <value> -1`), or
 * - *derived*: it moved but is not the value itself (e.g. a PDB's minAvailable computed from the
 *   replica count, a name hashed from content). Derived leaves stay fixed at the env's value in the
 *   chart and are reported, so an operator knows which values need a regeneration, not a `--set`.
 */
import { HelmTunable, TunableValue } from './helm-tunables';
import { KubeObject, objectId, SynthesizedObject } from './synthesized-objects';

export type JsonPath = readonly (string | number)[];

/**
 * A piece of a templated leaf: literal text, or the value of a tunable. A number may carry a fixed
 * `offset` (a PDB's `minAvailable = replicas - 1`): found when the leaf moves exactly with the value.
 */
export type TemplateSegment = { readonly literal: string } | { readonly tunable: HelmTunable; readonly offset?: number };

export interface TemplatedLeaf {
  readonly path: JsonPath;
  /** One segment `{tunable}` for a whole-value leaf; literals around it for an embedded value. */
  readonly segments: readonly TemplateSegment[];
}

export interface DerivedLeaf {
  readonly objectId: string;
  /** Construct path of the object (pairs it across synth passes). */
  readonly objectPath: string;
  readonly path: JsonPath;
  readonly baseline: unknown;
  readonly probe: unknown;
}

export interface LocatedObject extends SynthesizedObject {
  readonly templated: readonly TemplatedLeaf[];
}

export interface TunableLocation {
  readonly objects: readonly LocatedObject[];
  readonly derived: readonly DerivedLeaf[];
}

/** A tunable in play for this env: it has an env value, and a sentinel the probe pass used. */
export interface ActiveTunable {
  readonly tunable: HelmTunable;
  readonly envValue: TunableValue;
}

export function formatJsonPath(path: JsonPath): string {
  return path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('') || '.';
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Splits `probe` at every string sentinel; undefined when it contains none. */
function splitAtSentinels(probe: string, active: readonly ActiveTunable[]): TemplateSegment[] | undefined {
  const strings = active.filter((a) => typeof a.tunable.sentinel === 'string');
  const segments: TemplateSegment[] = [];
  let literal = '';
  let found = false;
  for (let i = 0; i < probe.length; ) {
    const hit = strings.find((a) => probe.startsWith(a.tunable.sentinel as string, i));
    if (hit) {
      if (literal) segments.push({ literal });
      literal = '';
      segments.push({ tunable: hit.tunable });
      i += (hit.tunable.sentinel as string).length;
      found = true;
    } else {
      literal += probe[i];
      i += 1;
    }
  }
  if (literal) segments.push({ literal });
  return found ? segments : undefined;
}

function render(segments: readonly TemplateSegment[], active: readonly ActiveTunable[]): string {
  return segments
    .map((s) => ('literal' in s ? s.literal : String(active.find((a) => a.tunable === s.tunable)!.envValue)))
    .join('');
}

function attributeLeaf(baseline: unknown, probe: unknown, active: readonly ActiveTunable[]): TemplateSegment[] | undefined {
  if (typeof probe === 'number' && typeof baseline === 'number') {
    const hit = active.find((a) => a.tunable.sentinel === probe && a.envValue === baseline);
    if (hit) return [{ tunable: hit.tunable }];
    // A leaf that keeps a constant distance to exactly one numeric value moves with it (value + offset).
    const shifted = active.filter((a) => typeof a.envValue === 'number' && typeof a.tunable.sentinel === 'number' &&
      probe - (a.tunable.sentinel as number) === baseline - (a.envValue as number) && probe !== baseline);
    return shifted.length === 1 ? [{ tunable: shifted[0].tunable, offset: baseline - (shifted[0].envValue as number) }] : undefined;
  }
  if (typeof probe === 'string' && typeof baseline === 'string') {
    const segments = splitAtSentinels(probe, active);
    return segments && render(segments, active) === baseline ? segments : undefined;
  }
  return undefined;
}

function compare(
  baseline: unknown,
  probe: unknown,
  path: JsonPath,
  active: readonly ActiveTunable[],
  id: string,
  templated: TemplatedLeaf[],
  derived: DerivedLeaf[],
  objectPath = '',
): void {
  if (Array.isArray(baseline) && Array.isArray(probe) && baseline.length === probe.length) {
    baseline.forEach((item, i) => compare(item, probe[i], [...path, i], active, id, templated, derived, objectPath));
    return;
  }
  if (isPlainObject(baseline) && isPlainObject(probe)) {
    const keys = Object.keys(baseline);
    if (keys.length === Object.keys(probe).length && keys.every((k) => k in probe)) {
      for (const key of keys) compare(baseline[key], probe[key], [...path, key], active, id, templated, derived, objectPath);
      return;
    }
  }
  if (Object.is(baseline, probe)) return;
  const segments = attributeLeaf(baseline, probe, active);
  if (segments) templated.push({ path, segments });
  else derived.push({ objectId: id, objectPath, path, baseline, probe });
}

/**
 * Pairs the two passes object by object (by construct path) and classifies every differing leaf.
 * Throws when the probe adds or removes objects: a tunable must change values, never the object set.
 */
export function locateTunables(
  baseline: readonly SynthesizedObject[],
  probe: readonly SynthesizedObject[],
  active: readonly ActiveTunable[],
): TunableLocation {
  const probeByPath = new Map(probe.map((o) => [o.path, o]));
  const missing = baseline.filter((o) => !probeByPath.has(o.path)).map((o) => o.path);
  const extra = probe.filter((o) => !baseline.some((b) => b.path === o.path)).map((o) => o.path);
  if (missing.length || extra.length) {
    throw new Error(
      `helm emitter: setting the tunables to their sentinels changed the set of objects (missing: [${missing.join(', ')}], added: [${extra.join(', ')}]); ` +
        'a Helm value may change fields, not which objects exist. Remove the tunable that drives object creation from constructs/helm/helm-tunables.ts.',
    );
  }
  const derived: DerivedLeaf[] = [];
  const objects = baseline.map((object) => {
    const templated: TemplatedLeaf[] = [];
    compare(object.manifest, probeByPath.get(object.path)!.manifest, [], active, objectId(object.manifest as KubeObject), templated, derived, object.path);
    return { ...object, templated };
  });
  return { objects, derived };
}

/** The value at `path` inside `value` (undefined when the path does not exist). */
export function valueAt(value: unknown, path: JsonPath): unknown {
  let cursor = value;
  for (const segment of path) {
    if (cursor === null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<string | number, unknown>)[segment];
  }
  return cursor;
}
