export * from './labels';
export * from './kubernetes-names';
export * from './security-context';
export * from './quantities';
export * from './image';
export * from './probes';
export * from './workload';
export * from './network-policy';
