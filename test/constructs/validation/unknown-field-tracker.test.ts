import fc from 'fast-check';
import { formatFieldPath } from '../../../constructs/policy';
import { validateObjects } from '../../../constructs/validation';
import { goldenApp, runtimePod } from '../policy/fixtures/golden-app';
import { crds } from './fixtures/crd-objects';

type Path = (string | number)[];

/** Keys whose values are free-form maps in a Deployment: any key is allowed inside them. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'matchLabels', 'limits', 'requests']);

/** Every object node of `value`, with its path, split into schema'd objects and maps. */
function objectNodes(value: unknown, path: Path = [], out: { structs: Path[]; maps: Path[] } = { structs: [], maps: [] }) {
  if (Array.isArray(value)) value.forEach((v, i) => objectNodes(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') {
    const last = path[path.length - 1];
    (typeof last === 'string' && MAP_FIELDS.has(last) ? out.maps : out.structs).push(path);
    for (const [k, v] of Object.entries(value)) objectNodes(v, [...path, k], out);
  }
  return out;
}

function at(root: unknown, path: Path): Record<string, unknown> {
  return path.reduce<any>((node, key) => node[key], root); // eslint-disable-line @typescript-eslint/no-explicit-any
}

const deploymentNodes = objectNodes(runtimePod(goldenApp()).deployment);
/** Names no Kubernetes schema uses. */
const unknownName = fc.stringMatching(/^[a-z]{3,10}$/).map((s) => `zz${s}`);

describe('unknown-field tracker (property)', () => {
  it('finds the inventory of the Deployment fixture non-trivial', () => {
    expect(deploymentNodes.structs.length).toBeGreaterThan(25);
    expect(deploymentNodes.maps.length).toBeGreaterThan(5);
  });

  it('reports an unknown key added to any schema object of a Deployment, at exactly that path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...deploymentNodes.structs), unknownName, (path, key) => {
        const app = goldenApp();
        const { deployment } = runtimePod(app);
        at(deployment, path)[key] = 'x';
        const issues = validateObjects([deployment], { server: false });
        expect(issues.map((i) => i.path)).toEqual([formatFieldPath([...path, key])]);
        expect(issues[0].message).toContain(`unknown field "${key}"`);
      }),
      { numRuns: 150 },
    );
  });

  it('accepts any key added to a map (labels, annotations, selectors, resource lists)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...deploymentNodes.maps), unknownName, (path, key) => {
        const app = goldenApp();
        const { deployment } = runtimePod(app);
        at(deployment, path)[key] = path[path.length - 1] === 'limits' || path[path.length - 1] === 'requests' ? '1' : 'x';
        expect(validateObjects([deployment], { server: false })).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('holds for every object of the golden app and the CRD fixtures', () => {
    const objects = [...goldenApp(), ...crds()];
    const isMap = (kind: string, path: Path): boolean => {
      const last = String(path[path.length - 1]);
      return MAP_FIELDS.has(last) || ['data', 'hard', 'default', 'defaultRequest'].includes(last) || (kind === 'Service' && last === 'selector');
    };
    const cases = objects.flatMap((object, index) => {
      const { structs, maps } = objectNodes(object);
      return [...structs, ...maps].map((path) => ({ index, path, map: isMap(String(object.kind), path) }));
    });
    expect(cases.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(fc.constantFrom(...cases), unknownName, ({ index, path, map }, key) => {
        const objects2 = [...goldenApp(), ...crds()];
        at(objects2[index], path)[key] = map && ['limits', 'requests', 'hard', 'default', 'defaultRequest'].includes(String(path[path.length - 1])) ? '1' : 'x';
        const issues = validateObjects([objects2[index]], { server: false }).map((i) => i.path);
        expect(issues).toEqual(map ? [] : [formatFieldPath([...path, key])]);
      }),
      { numRuns: 300 },
    );
  });
});
