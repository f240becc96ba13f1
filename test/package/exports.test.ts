/**
 * The package's public entry points (package.json "exports") resolve to real sources, and the public
 * API a platform team composes is reachable from the package root and the documented subpaths.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as root from '../../index';
import * as contractsV1 from '../../runtime/contracts/v1';
import * as engine from '../../runtime/engine';
import * as policy from '../../constructs/policy';
import * as validation from '../../constructs/validation';
import * as helm from '../../constructs/helm';
import * as terraform from '../../stacks';
import * as testing from '../../stacks/testing';

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('package exports', () => {
  test('every export points at lib/<source>.js|.d.ts whose TypeScript source exists', () => {
    for (const [subpath, target] of Object.entries<any>(pkg.exports)) {
      if (typeof target === 'string') continue; // ./package.json
      for (const file of [target.types, target.default]) {
        expect(file).toMatch(/^\.\/lib\/.+\.(js|d\.ts)$/);
        const source = file.replace(/^\.\/lib\//, '').replace(/\.(d\.ts|js)$/, '.ts');
        expect({ subpath, source, exists: fs.existsSync(path.join(ROOT, source)) }).toEqual({ subpath, source, exists: true });
      }
    }
    expect(pkg.main).toBe('lib/index.js');
    expect(pkg.types).toBe('lib/index.d.ts');
  });

  test('the root exports the five constructs, the composition and the env API', () => {
    for (const name of ['RsppRuntime', 'RsppControlPlane', 'AuthorityLeaseStore', 'ObservabilityStack', 'MtlsBaseline', 'RsppPlatform', 'loadEnvironment', 'validateEnvironment']) {
      expect(typeof (root as Record<string, unknown>)[name]).toBe('function');
    }
    expect(root.METRICS.turnOpenDecisionSeconds).toBe('rspp_turn_open_decision_seconds');
  });

  test('contracts/v1 and engine subpaths expose their decoders and the engine', () => {
    expect(typeof (contractsV1 as Record<string, unknown>).encodeCanonical).toBe('function');
    expect(typeof (contractsV1 as Record<string, unknown>).checkCompatibility).toBe('function');
    expect(typeof (engine as Record<string, unknown>).TurnEngine).toBe('function');
    expect(typeof (engine as Record<string, unknown>).replay).toBe('function');
  });

  test('policy, validation, helm, terraform and testing subpaths (architecture §10) expose their entry points', () => {
    const fns: Array<[string, Record<string, unknown>, string[]]> = [
      ['./policy', policy, ['checkPolicy', 'formatPolicyReport', 'assertPolicy']],
      ['./validation', validation, ['validateObjects', 'assertValid']],
      ['./helm', helm, ['emitHelmCharts', 'generateHelmCharts']],
      ['./terraform', terraform, ['RsppStack', 'buildTerraformApp', 'synthTerraform', 'stageTerraform']],
      ['./testing', testing, ['synthObjects', 'synthHelmChart', 'synthStack', 'maskDigests']],
    ];
    for (const [subpath, mod, names] of fns) {
      expect(Object.keys(pkg.exports)).toContain(subpath);
      expect(pkg.typesVersions['*'][subpath.slice(2)]).toEqual([pkg.exports[subpath].types.slice(2)]);
      for (const name of names) expect({ subpath, name, type: typeof mod[name] }).toEqual({ subpath, name, type: 'function' });
    }
    expect(typeof (testing.rsppMatchers as Record<string, unknown>).toPassRsppPolicy).toBe('function');
  });

  test('construct libraries take constructs, cdk8s, cdk8s-plus-27, cdktf and the providers as peers; run-time needs are dependencies', () => {
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@cdktf/provider-helm', '@cdktf/provider-kubernetes', 'cdk8s', 'cdk8s-plus-27', 'cdktf', 'constructs']);
    for (const [name, range] of Object.entries<string>(pkg.peerDependencies)) {
      expect({ name, range: /^\^\d+\.\d+\.\d+$/.test(range), dev: pkg.devDependencies[name] }).toEqual({ name, range: true, dev: range.slice(1) });
      expect(pkg.dependencies[name]).toBeUndefined();
    }
    for (const name of ['ajv', 'kubernetes-models', '@kubernetes-models/cert-manager', '@kubernetes-models/prometheus-operator', 'yaml', 'ws', 'etcd3']) {
      expect({ name, dependency: typeof pkg.dependencies[name] }).toEqual({ name, dependency: 'string' });
    }
    expect(pkg.private).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.bin).toEqual({ rspp: 'lib/stacks/cli/rspp.js' });
  });
});
