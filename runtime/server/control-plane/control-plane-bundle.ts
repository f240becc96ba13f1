/**
 * What the runtime accepts from `GET /v1/bundles/<digest>`: an answer whose content hashes to the
 * digest that was asked for. Bundles are content-addressed (pipelines' `canonical-digest.ts`): the
 * digest is `sha256:` + hex sha256 of the contracts' canonical JSON (`encodeCanonical`) of the
 * bundle document with its own top-level `digest` field left out. `runtime/server` may not import
 * `pipelines/` (architecture §9), so the same rule is applied here with the contracts' encoder; the
 * control-plane test pins that both computations agree on the repository's real bundles.
 */
import { createHash } from 'crypto';
import { encodeCanonical } from '../../contracts/v1';

/** The bundle facts the runtime uses, taken from a verified answer. */
export interface VerifiedBundle {
  /** The requested (and verified) digest. */
  readonly digest: string;
  /** `pipeline_version` of the bundle document. */
  readonly pipelineVersion: string;
  /** Execution profile the bundle resolves to. */
  readonly executionProfile: string;
  /** Graph definition reference of the bundle's spec. */
  readonly graphDefinitionRef: string;
  /** Provider bindings (role → provider/model). */
  readonly providerBindings: Readonly<Record<string, string>>;
}

/** Why an answer was refused (never retried: the control plane answered, and answered wrong). */
export class BundleVerificationError extends Error {
  constructor(
    readonly requested: string,
    message: string,
  ) {
    super(`control-plane answer for bundle ${requested} refused: ${message}`);
    this.name = 'BundleVerificationError';
  }
}

/** Content digest of a bundle document: `sha256:<hex>` of its canonical JSON, own `digest` field excluded. */
export function contentDigest(document: Readonly<Record<string, unknown>>): string {
  const { digest: _self, ...content } = document;
  return `sha256:${createHash('sha256').update(encodeCanonical(content)).digest('hex')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a `GET /v1/bundles/<digest>` answer against the requested digest: the answer names it, the
 * document it carries hashes to it, and the summary fields agree with that document.
 */
export function verifyBundleAnswer(requested: string, answer: unknown): VerifiedBundle {
  const refuse = (why: string): never => {
    throw new BundleVerificationError(requested, why);
  };
  if (!isRecord(answer)) return refuse('the body is not a JSON object');
  if (answer.digest !== requested) return refuse(`it names digest ${JSON.stringify(answer.digest)}`);
  const document = answer.document;
  if (!isRecord(document)) return refuse('it carries no bundle "document" to verify (control plane older than the runtime?)');
  const computed = contentDigest(document);
  if (computed !== requested) return refuse(`its document hashes to ${computed} (content does not match the digest)`);
  if (document.kind !== 'PipelineBundle') return refuse(`document.kind is ${JSON.stringify(document.kind)}, not "PipelineBundle"`);
  const pipelineVersion = document.pipeline_version;
  if (typeof pipelineVersion !== 'string' || pipelineVersion === '') return refuse('document.pipeline_version is missing');
  if (answer.pipeline_version !== pipelineVersion) return refuse(`pipeline_version ${JSON.stringify(answer.pipeline_version)} differs from the document's ${JSON.stringify(pipelineVersion)}`);
  const { execution_profile: executionProfile, graph_definition_ref: graphDefinitionRef } = answer;
  if (typeof executionProfile !== 'string' || executionProfile === '') return refuse('execution_profile is missing');
  if (typeof graphDefinitionRef !== 'string' || graphDefinitionRef === '') return refuse('graph_definition_ref is missing');
  const bindings = document.provider_bindings;
  if (!isRecord(bindings) || Object.values(bindings).some((v) => typeof v !== 'string')) return refuse('document.provider_bindings is not a map of strings');
  return { digest: requested, pipelineVersion, executionProfile, graphDefinitionRef, providerBindings: bindings as Record<string, string> };
}
