/**
 * Authority lease store: interface, epoch fence, in-memory (embedded default) and etcd
 * implementations. Imports nothing of ours but `runtime/contracts` (architecture §9).
 */
export * from './authority-clock';
export * from './lease-store';
export * from './lease-errors';
export * from './lease-state';
export * from './epoch-fence';
export * from './lease-resolution';
export * from './manual-authority-clock';
export * from './in-memory-lease-registry';
export * from './in-memory-lease-store';
export * from './etcd-lease-store';
export * from './create-lease-store';
export * from './tls-files';
