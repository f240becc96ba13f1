/**
 * Mutations of the shipped artifacts that break their schema in one way each. The expected problems
 * (`schema-problems.golden.json`) were recorded from the former hand-written schema interpreter
 * (commit aa8071e), so the TypeBox-based checker is held to the same paths, codes, messages and fixes.
 */
type Mutation = readonly [name: string, edit: (artifact: any) => void];

const deep = (x: unknown, visit: (holder: any, key: string) => boolean): void => {
  if (Array.isArray(x)) x.forEach((item) => deep(item, visit));
  else if (x !== null && typeof x === 'object') for (const k of Object.keys(x)) if (!visit(x, k)) deep((x as any)[k], visit);
};

export const SCHEMA_FIXTURE_FILES = [
  'specs/simple_v1.yaml',
  'profiles/simple_v1.yaml',
  'policies/default_voice_policy_v1.yaml',
  'bundles/simple_v1.yaml',
  'rollouts/canary_10pct_v1.yaml',
  'compat/contract_skew_v1.yaml',
  'extensions/keyword_spotter_v1.yaml',
  'tests/mvp_gates_manifest_v1.yaml',
] as const;

export const SCHEMA_MUTATIONS: readonly Mutation[] = [
  ['null fields read as missing', (a) => ((a.description = null), (a.name = null))],
  ['unknown fields', (a) => ((a.colour = 1), (a.shade = 2))],
  ['empty name', (a) => (a.name = '')],
  ['off-pattern values', (a) => ((a.name = 'Bad Name'), (a.schema_version = 'v1'))],
  ['a list field given a string', (a) => { for (const k of Object.keys(a)) if (Array.isArray(a[k])) { a[k] = 'x'; break; } }],
  ['duplicated list items', (a) => { for (const k of Object.keys(a)) if (Array.isArray(a[k]) && a[k].length) a[k].push(structuredClone(a[k][0]), structuredClone(a[k][0])); }],
  ['empty lists', (a) => { for (const k of Object.keys(a)) if (Array.isArray(a[k])) a[k] = []; }],
  ['unknown keys in mappings and maps', (a) => { for (const k of Object.keys(a)) if (a[k] && typeof a[k] === 'object' && !Array.isArray(a[k])) Object.assign(a[k], { Bogus: a[k][Object.keys(a[k])[0]], Other: 1 }); }],
  ['numbers negative and fractional', (a) => deep(a, (h, k) => (typeof h[k] === 'number' ? ((h[k] = -1.5), true) : false))],
  ['numbers as words', (a) => deep(a, (h, k) => (typeof h[k] === 'number' ? ((h[k] = 'ten'), true) : false))],
  ['numbers too large', (a) => deep(a, (h, k) => (typeof h[k] === 'number' ? ((h[k] = 1e9), true) : false))],
  ['enum words as numbers', (a) => deep(a, (h, k) => (typeof h[k] === 'string' && /^[a-z_]+$/.test(h[k]) && k !== 'name' ? ((h[k] = 7), true) : false))],
  ['booleans flipped', (a) => deep(a, (h, k) => (typeof h[k] === 'boolean' ? ((h[k] = !h[k]), true) : false))],
  ['booleans as words', (a) => deep(a, (h, k) => (typeof h[k] === 'boolean' ? ((h[k] = 'yes'), true) : false))],
  ['digest references mutable', (a) => deep(a, (h, k) => (typeof h[k] === 'string' && h[k].startsWith('sha256:') ? ((h[k] = k.length % 2 ? 'main' : 5), true) : false))],
  ['strings emptied', (a) => deep(a, (h, k) => (typeof h[k] === 'string' ? ((h[k] = ''), true) : false))],
  ['nested numbers null', (a) => deep(a, (h, k) => (typeof h[k] === 'number' ? ((h[k] = null), true) : false))],
  ['mappings given lists', (a) => { for (const k of Object.keys(a)) if (a[k] && typeof a[k] === 'object' && !Array.isArray(a[k])) a[k] = [1]; }],
];
