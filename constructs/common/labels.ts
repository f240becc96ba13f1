/**
 * The Kubernetes recommended labels every RSPP object carries (manifest-policy RSPP-META-001), and the
 * stable subset used in selectors. Selectors never include `version`: a Deployment's selector is
 * immutable, so a version bump must not change it.
 */
import { MANAGED_BY, PART_OF } from '../../runtime/contracts/runtime-interface';

export const LABEL_KEYS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  version: 'app.kubernetes.io/version',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/**
 * Version stamped by constructs when the caller gives none (defined in `envs/defaults.ts`, kept equal
 * to `package.json` "version"; a test fails when they drift).
 */
export { PLATFORM_VERSION } from '../../envs/defaults';

export interface WorkloadIdentity {
  /** `app.kubernetes.io/name`, e.g. `rspp-runtime`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: which deployment of the platform, e.g. `rspp-prod`. */
  readonly instance: string;
  /** `app.kubernetes.io/version`. */
  readonly version: string;
  /** `app.kubernetes.io/component`, e.g. `runtime`, `control-plane`, `lease-store`. */
  readonly component: string;
  /** `app.kubernetes.io/part-of`. @default PART_OF ('rspp') */
  readonly partOf?: string;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why `value` is not a valid label value (≤63 chars, alphanumeric at both ends, `-_.` inside); `undefined` when it is. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${JSON.stringify(value)}`;
  if (value.length > 63) return `"${value}" is ${value.length} characters; label values are at most 63`;
  if (!LABEL_VALUE.test(value)) return `"${value}" is not a valid label value (alphanumerics, '-', '_', '.'; alphanumeric at both ends)`;
  return undefined;
}

function checked(where: string, field: string, value: string): string {
  const problem = labelValueProblem(value);
  if (problem !== undefined) throw new Error(`${where}: ${field} ${problem}`);
  return value;
}

/** The six `app.kubernetes.io/*` labels. `where` prefixes error messages (e.g. `RsppRuntime(runtime)`). */
export function recommendedLabels(identity: WorkloadIdentity, where = 'recommendedLabels'): Record<string, string> {
  return {
    [LABEL_KEYS.name]: checked(where, 'name', identity.name),
    [LABEL_KEYS.instance]: checked(where, 'instance', identity.instance),
    [LABEL_KEYS.version]: checked(where, 'version', identity.version),
    [LABEL_KEYS.component]: checked(where, 'component', identity.component),
    [LABEL_KEYS.partOf]: checked(where, 'partOf', identity.partOf ?? PART_OF),
    [LABEL_KEYS.managedBy]: MANAGED_BY,
  };
}

/** The stable labels that select one workload's pods: name, instance, component. */
export function selectorLabels(identity: Omit<WorkloadIdentity, 'version'>, where = 'selectorLabels'): Record<string, string> {
  return {
    [LABEL_KEYS.name]: checked(where, 'name', identity.name),
    [LABEL_KEYS.instance]: checked(where, 'instance', identity.instance),
    [LABEL_KEYS.component]: checked(where, 'component', identity.component),
  };
}
