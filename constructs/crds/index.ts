export * from './cert-manager';
export * from './prometheus-operator';
