/**
 * The package's public entry points (package.json "exports") resolve to real sources, and the public
 * API a platform team composes is reachable from the package root and the documented subpaths.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as root from '../../index';
import * as contractsV1 from '../../runtime/contracts/v1';
import * as engine from '../../runtime/engine';

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
});
