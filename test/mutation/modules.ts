/**
 * The mutation-tested modules (issue #18): what Stryker mutates and which tests it runs against it.
 * One entry per module; `npm run test:mutation -- <name>` runs one, no argument runs all of them.
 *
 * `mutate` is a list of files; `functions` narrows a file to the named functions/methods (their line
 * ranges are found in the source at run time, so edits elsewhere in the file do not shift them).
 * `tests` are globs (relative to the repo root) of the only test files the module is run against.
 */
export interface MutationModule {
  readonly name: string;
  readonly describe: string;
  readonly mutate: readonly (string | { readonly file: string; readonly functions: readonly string[] })[];
  readonly tests: readonly string[];
  /** Test files among `tests` that read source text (purity, catalogue scans): they cannot run on instrumented code. */
  readonly skipTests?: readonly string[];
  /** Score (% of mutants killed, compile errors excluded) below which the run fails. */
  readonly target: number;
}

/** Rules of constructs/policy/rules that guard security (pod hardening, images, secrets, network, RBAC). */
const SECURITY_RULES = [
  'rspp-net-001-default-deny',
  'rspp-net-002-labelled-flows',
  'rspp-ns-001-pod-security-labels',
  'rspp-pod-001-host-namespaces',
  'rspp-pod-002-privileged',
  'rspp-pod-003-privilege-escalation',
  'rspp-pod-004-run-as-non-root',
  'rspp-pod-005-seccomp',
  'rspp-pod-006-capabilities',
  'rspp-pod-007-read-only-root-filesystem',
  'rspp-pod-008-volume-types',
  'rspp-pod-009-host-ports-and-paths',
  'rspp-pod-011-image-digest',
  'rspp-pod-013-service-account',
  'rspp-pod-014-secret-env-values',
  'rspp-rbac-001-least-privilege',
];

export const MUTATION_MODULES: readonly MutationModule[] = [
  {
    name: 'edge-buffer',
    describe: 'bounded edge buffers: shedding, drop notices, xon/xoff, credit (turn-engine.md §6)',
    mutate: ['runtime/engine/edge-buffer.ts'],
    tests: ['test/runtime/engine/edge-*.test.ts', 'test/runtime/engine/buffers-and-lineage.test.ts'],
    target: 90,
  },
  {
    name: 'policy-rules',
    describe: 'the security rules of the manifest policy (manifest-policy.md)',
    mutate: SECURITY_RULES.map((r) => `constructs/policy/rules/${r}.ts`),
    tests: [...SECURITY_RULES.map((r) => `test/constructs/policy/rules/${r}.test.ts`), 'test/constructs/policy/check-policy.test.ts', 'test/constructs/policy/security-rule-edges.test.ts'],
    target: 90,
  },
  {
    name: 'epoch-fence',
    describe: 'the one authority-epoch check (turn-engine.md §8)',
    mutate: ['runtime/authority/epoch-fence.ts'],
    tests: ['test/runtime/authority/epoch-fence*.test.ts', 'test/runtime/authority/in-memory-lease-store.test.ts'],
    target: 90,
  },
  {
    name: 'env-schema',
    describe: 'environment config validation and its error messages (envs/README.md)',
    mutate: ['envs/schema.ts'],
    tests: ['test/envs/environment-schema*.test.ts'],
    target: 90,
  },
  {
    name: 'strict-decoder',
    describe: 'the strict wire decoder of contracts v1 (contracts.md)',
    mutate: ['runtime/contracts/v1/strict-decoder.ts'],
    tests: ['test/runtime/contracts/*.test.ts'],
    target: 90,
  },
  {
    name: 'turn-engine-fences',
    describe: 'cancel-fence and epoch-fencing paths of the turn engine (turn-engine.md §7, §8)',
    mutate: [
      {
        file: 'runtime/engine/turn-engine.ts',
        functions: ['resolveIngressAuthority', 'egressItem', 'fence', 'onControl', 'cancelPartial', 'onLateControl', 'cancelLateOutput', 'rejectStale', 'rejectControlStale'],
      },
    ],
    tests: ['test/runtime/engine/{cancellation,authority,pre-turn,lifecycle,failure-injection,global-assertions,turn-engine-*}.test.ts'],
    target: 90,
  },
];
