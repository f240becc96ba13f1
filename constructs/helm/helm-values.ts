/**
 * `values.yaml` and `values.schema.json` of the generated charts, both derived from the placed
 * tunables, so every key the templates read has a default, a type and a rule, and nothing else is
 * accepted (`additionalProperties: false` at every level).
 */
import type { EnvironmentConfig } from '../../envs/environment-config';
import { ChartName, HelmTunable, JsonSchema, PLATFORM_CHART, RUNTIME_CHART, TunableValue } from './helm-tunables';

/** Where a tunable's value lives: in one chart's values, or in `global` when both charts use it. */
export type ValueScope = ChartName | 'global';

export interface PlacedTunable {
  readonly tunable: HelmTunable;
  readonly scope: ValueScope;
  readonly envValue: TunableValue;
}

interface ValueTree {
  [key: string]: ValueTree | PlacedTunable;
}

const isLeaf = (node: ValueTree | PlacedTunable): node is PlacedTunable => 'tunable' in node && 'scope' in node;

function treeOf(placed: readonly PlacedTunable[]): ValueTree {
  const root: ValueTree = {};
  for (const p of placed) {
    const segments = p.tunable.key.split('.');
    let cursor = root;
    for (const segment of segments.slice(0, -1)) {
      const next = cursor[segment];
      if (next !== undefined && isLeaf(next)) throw new Error(`helm emitter: value key ${p.tunable.key} nests under the value ${p.tunable.key.split('.').slice(0, -1).join('.')}`);
      cursor = (next as ValueTree | undefined) ?? (cursor[segment] = {});
    }
    cursor[segments[segments.length - 1]] = p;
  }
  return root;
}

function plainValues(tree: ValueTree): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tree).map(([k, node]) => [k, isLeaf(node) ? node.envValue : plainValues(node)]));
}

function schemaOf(tree: ValueTree, env: EnvironmentConfig, description?: string): JsonSchema {
  const properties = Object.fromEntries(
    Object.entries(tree).map(([k, node]) => [k, isLeaf(node) ? node.tunable.schema(env) : schemaOf(node, env)]),
  );
  return {
    type: 'object',
    ...(description ? { description } : {}),
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
  };
}

function yamlLines(tree: ValueTree, indent: string): string[] {
  const lines: string[] = [];
  for (const [key, node] of Object.entries(tree)) {
    if (isLeaf(node)) {
      lines.push(`${indent}# ${node.tunable.description}`, `${indent}${key}: ${JSON.stringify(node.envValue)}`);
    } else {
      lines.push(`${indent}${key}:`, ...yamlLines(node, indent + '  '));
    }
  }
  return lines;
}

/** The values of one chart: its own tunables, plus `global` (and, for the parent, the subchart's section). */
export class ChartValues {
  private readonly own: Record<ChartName, ValueTree>;
  private readonly global: ValueTree;

  constructor(private readonly env: EnvironmentConfig, placed: readonly PlacedTunable[]) {
    this.own = {
      [PLATFORM_CHART]: treeOf(placed.filter((p) => p.scope === PLATFORM_CHART)),
      [RUNTIME_CHART]: treeOf(placed.filter((p) => p.scope === RUNTIME_CHART)),
    };
    this.global = treeOf(placed.filter((p) => p.scope === 'global'));
  }

  /** The values object as Helm sees it for `chart` (defaults, before any override). */
  values(chart: ChartName): Record<string, unknown> {
    const values: Record<string, unknown> = { ...plainValues(this.own[chart]) };
    if (chart === PLATFORM_CHART) values[RUNTIME_CHART] = plainValues(this.own[RUNTIME_CHART]);
    values.global = plainValues(this.global);
    return values;
  }

  schema(chart: ChartName): JsonSchema {
    const globalSchema = schemaOf(this.global, this.env, 'Values shared by rspp-platform and its rspp-runtime subchart.');
    const withGlobal = (s: JsonSchema, extra: Record<string, JsonSchema> = {}): JsonSchema => {
      const properties = { ...(s.properties as Record<string, JsonSchema>), ...extra, global: globalSchema };
      return { ...s, required: Object.keys(properties).filter((k) => k !== 'global'), properties };
    };
    const runtime = withGlobal(schemaOf(this.own[RUNTIME_CHART], this.env, `Values of the ${RUNTIME_CHART} subchart.`));
    const root = chart === RUNTIME_CHART ? runtime : withGlobal(schemaOf(this.own[PLATFORM_CHART], this.env), { [RUNTIME_CHART]: runtime });
    return {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: `${chart} values (${this.env.name})`,
      ...root,
    };
  }

  /** `values.yaml` text: every key with its description as a comment. */
  yaml(chart: ChartName): string {
    const header = [
      `# ${chart} values for the ${this.env.name} environment.`,
      '# Generated from the constructs and envs/ by constructs/helm: edit the env config and regenerate;',
      '# these defaults are the env config. values.schema.json rejects unknown keys and malformed values.',
    ];
    const body = yamlLines(this.own[chart], '');
    if (chart === PLATFORM_CHART) body.push(`${RUNTIME_CHART}:`, ...yamlLines(this.own[RUNTIME_CHART], '  '));
    const globals = yamlLines(this.global, '  ');
    body.push(globals.length ? 'global:' : 'global: {}', ...globals);
    return [...header, ...body, ''].join('\n');
  }
}
