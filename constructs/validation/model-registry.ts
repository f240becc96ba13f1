/**
 * Finds the schema validator for an `apiVersion`/`kind` among the typed model packages installed
 * offline: `kubernetes-models` (core and built-in API groups), `@kubernetes-models/cert-manager`
 * and `@kubernetes-models/prometheus-operator`. Each model class carries an ajv-compiled validator
 * generated from the upstream OpenAPI / CRD schema; it checks types, formats, enums and required
 * fields (not unknown fields: see `unknown-field-tracker.ts`).
 */

/** One ajv error as the compiled validators report it. */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

export interface KindSchema {
  readonly apiVersion: string;
  readonly kind: string;
  /** The npm package whose schema is used. */
  readonly source: string;
  /** Runs the validator over `data` (which may be a tracking proxy) and returns its errors. */
  validate(data: unknown): readonly SchemaError[];
}

/** Packages searched, in order. */
export const MODEL_PACKAGES = ['kubernetes-models', '@kubernetes-models/cert-manager', '@kubernetes-models/prometheus-operator'] as const;

/** `v1`, `apps/v1`, `cert-manager.io/v1`, `monitoring.coreos.com/v1alpha1`: never a path to wander with. */
const API_VERSION = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;

interface ModelClass {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly prototype: { validate(this: unknown): void };
}

const cache = new Map<string, KindSchema | undefined>();

function loadModule(specifier: string): Readonly<Record<string, unknown>> | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(specifier) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined;
    throw error;
  }
}

function isModelClass(value: unknown): value is ModelClass {
  return typeof value === 'function' && typeof (value as { prototype?: { validate?: unknown } }).prototype?.validate === 'function';
}

function schemaFrom(model: ModelClass, apiVersion: string, kind: string, source: string): KindSchema {
  return {
    apiVersion,
    kind,
    source,
    validate(data) {
      try {
        model.prototype.validate.call(data);
        return [];
      } catch (error) {
        const errors = (error as { errors?: unknown }).errors;
        if (Array.isArray(errors)) return errors as SchemaError[];
        throw error;
      }
    },
  };
}

/** The schema of `apiVersion`/`kind`, or undefined when no installed package has it. */
export function schemaFor(apiVersion: string, kind: string): KindSchema | undefined {
  const key = `${apiVersion} ${kind}`;
  if (cache.has(key)) return cache.get(key);
  let found: KindSchema | undefined;
  if (API_VERSION.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    for (const pkg of MODEL_PACKAGES) {
      const model = loadModule(`${pkg}/${apiVersion}`)?.[kind];
      if (isModelClass(model) && model.apiVersion === apiVersion && model.kind === kind) {
        found = schemaFrom(model, apiVersion, kind, pkg);
        break;
      }
    }
  }
  cache.set(key, found);
  return found;
}

/** The `ObjectMeta` schema, for objects of declared kinds that have no schema of their own. */
export function objectMetaSchema(): KindSchema {
  const model = loadModule('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta')?.ObjectMeta;
  if (!isModelClass(model)) throw new Error('offline validation: @kubernetes-models/apimachinery has no ObjectMeta model');
  return schemaFrom(model, 'meta/v1', 'ObjectMeta', '@kubernetes-models/apimachinery');
}
