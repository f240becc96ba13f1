/** EtcdLeaseStore refuses bad options at construction, naming the option and the fix. */
import { EtcdLeaseStore, type EtcdLeaseStoreOptions } from '../../../runtime/authority';

const pem = Buffer.from('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');

describe('EtcdLeaseStoreOptions validation', () => {
  test.each<[string, EtcdLeaseStoreOptions, RegExp]>([
    ['no endpoints', { endpoints: [] }, /endpoints must list at least one/],
    ['a non-URL endpoint', { endpoints: ['etcd:2379'] }, /not an http\(s\):\/\/host:port URL/],
    ['https without tls', { endpoints: ['https://etcd:2379'] }, /tls is required for the https endpoint/],
    ['a certificate without its key', { endpoints: ['https://etcd:2379'], tls: { caCertificate: pem, certificateChain: pem } }, /certificateChain and privateKey go together/],
    ['a bad key prefix', { endpoints: ['http://etcd:2379'], keyPrefix: 'rspp/' }, /keyPrefix "rspp\/" must start with "\/"/],
    ['a zero call timeout', { endpoints: ['http://etcd:2379'], callTimeoutMs: 0 }, /callTimeoutMs must be > 0/],
    ['a fractional default TTL', { endpoints: ['http://etcd:2379'], defaultTtlSeconds: 1.5 }, /defaultTtlSeconds must be a whole number of seconds/],
  ])('refuses %s', (_label, options, message) => {
    expect(() => new EtcdLeaseStore(options)).toThrow(message);
  });
});
