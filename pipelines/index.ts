/**
 * Pipelines: artifact loading (for the control plane), the validator and the release gate runner.
 *
 *   loadArtifacts(dir?)        every artifact, validated and indexed (throws PipelineArtifactsError)
 *   loadBundle(digest, dir?)   one bundle by digest with its spec, profile, policy, extensions
 *   bundleDigest(bundle)       sha256:<64 hex> of a bundle's canonical JSON (self digest excluded)
 *   validatePipelines(dir)     every Problem (file, line, path, code, message, fix)
 *   runGates(opts)             contract → replay → baseline → SLO → publish; writes dist/release/<name>.json
 *   engineProfileOf / enginePoliciesOf / turnStartBundleOf   a resolved bundle as the engine consumes it
 */
export {
  loadArtifacts,
  loadBundle,
  bundleDigest,
  defaultPipelinesDir,
  PipelineArtifactsError,
  type ArtifactSet,
  type LoadedArtifact,
  type ResolvedBundle,
} from './artifacts/artifact-loader';
export { artifactDigest, canonicalJson, isDigest, sha256Hex, DIGEST_PATTERN, type Digest } from './artifacts/canonical-digest';
export type * from './artifacts/artifact-types';
export { validatePipelines } from './validator/validate-pipelines';
export { formatProblem, type Problem } from './validator/problem';
export { ARTIFACT_KINDS } from './schema/artifact-schemas';
export { runGates } from './gates/gate-runner';
export { GATE_ORDER, type GateName, type GateRunResult, type GateVerdict, type ReleaseManifest, type RunGatesOptions } from './gates/gate-types';
export { engineProfileOf, enginePoliciesOf, turnStartBundleOf, type TurnStartOptions } from './artifacts/engine-profile';
