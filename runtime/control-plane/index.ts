/** The control-plane service: bundle resolution by digest, CP-05 admission, placement authority. */
export * from './control-plane-errors';
export * from './immutable-reference';
export * from './bundle-catalog';
export * from './admission-controller';
export * from './authority-resolver';
export * from './turn-start-resolver';
export * from './control-plane-metrics';
export * from './control-plane-api';
export * from './control-plane-service';
export * from './reloading-tls-credentials';
export { parseControlPlaneArgs } from './main';
