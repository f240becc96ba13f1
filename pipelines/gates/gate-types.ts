/**
 * Types of the release gate runner: contract → replay → baseline → SLO → publish.
 */
import type { ContractSchemaSet } from '../../runtime/contracts/v1';

export const GATE_ORDER = ['contract', 'replay', 'baseline', 'slo', 'publish'] as const;
export type GateName = (typeof GATE_ORDER)[number];

export interface RunGatesOptions {
  /** Directory holding the pipeline artifacts. @default the package's `pipelines/` */
  readonly pipelinesDir?: string;
  /** Base for the default `dist/...` paths below. @default process.cwd() */
  readonly rootDir?: string;
  /** Release name: the manifest is written to `<releaseDir>/<name>.json`. @default 'rspp-release' */
  readonly releaseName?: string;
  /** @default `<rootDir>/dist/release` */
  readonly releaseDir?: string;
  /** Engine benchmark results. @default `<rootDir>/dist/bench/engine.json` */
  readonly benchEngineFile?: string;
  /** Load test results. @default `<rootDir>/dist/bench/load.json` */
  readonly benchLoadFile?: string;
  /** Image build output `{ "image": "<repo>@sha256:<hex>" }`. @default `<rootDir>/dist/image/runtime.json` */
  readonly imageFile?: string;
  /** The runtime image reference, overriding `imageFile` (`<repo>@sha256:<hex>` or `sha256:<hex>`). */
  readonly image?: string;
  /** Bundles the release promotes, by digest. @default the target bundle of every rollout */
  readonly bundles?: readonly string[];
  /** Gates manifest name under `tests/`. @default 'mvp_gates_manifest_v1' */
  readonly gatesManifest?: string;
  /** The contracts of release N. @default the live `CONTRACT_SCHEMA_SET_V1` */
  readonly currentContracts?: ContractSchemaSet;
  /** A timestamp to stamp into the manifest; none unless given (the manifest is reproducible). */
  readonly createdAt?: string;
}

export interface GateVerdict {
  readonly gate: GateName;
  readonly passed: boolean;
  /** Why it failed (absent when passed). */
  readonly reason?: string;
  /** What was checked and measured: canonical JSON of this is what `evidence_sha256` hashes. */
  readonly evidence: unknown;
  readonly evidence_sha256: string;
}

export interface ReleaseManifest {
  readonly schema_version: 'v1.0';
  readonly release: string;
  readonly created_at?: string;
  readonly image: { readonly reference: string; readonly digest: string };
  readonly bundles: ReadonlyArray<{ readonly name: string; readonly digest: string }>;
  /** Rollouts whose target is a released bundle, with their immutable rollback. */
  readonly rollouts: ReadonlyArray<{ readonly name: string; readonly target_bundle: string; readonly rollback_bundle: string }>;
  readonly gates_manifest: string;
  readonly gates: ReadonlyArray<{ readonly gate: GateName; readonly verdict: 'pass'; readonly evidence_sha256: string }>;
}

export interface GateRunResult {
  readonly passed: boolean;
  /** The first failing gate (the runner stops there). */
  readonly failedGate?: GateName;
  readonly reason?: string;
  /** Verdicts of the gates that ran, in order. */
  readonly verdicts: readonly GateVerdict[];
  /** Written only when every gate passed. */
  readonly manifestPath?: string;
  readonly manifest?: ReleaseManifest;
}

/** What one gate returns before the runner hashes its evidence. */
export interface GateOutcome {
  readonly passed: boolean;
  readonly reason?: string;
  readonly evidence: unknown;
}
