/**
 * @rspp/platform — public API. Everything a platform team composes is exported here.
 */
export * from './runtime/contracts/runtime-interface';
export * from './constructs';
export * from './envs';
