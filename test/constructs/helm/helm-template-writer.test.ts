/**
 * The template writer round-trips arbitrary content through Helm: every literal string (quotes,
 * newlines, unicode, `{{ }}`, YAML 1.1 booleans) renders back to itself, and values embedded in
 * strings render in place.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { renderHelmTemplate, valuesReference } from '../../../constructs/helm/helm-template-writer';
import { HELM_TUNABLES } from '../../../constructs/helm/helm-tunables';
import { helm, parseManifests } from './helm-harness';

const domain = HELM_TUNABLES.find((t) => t.key === 'livekit.domain')!;

function renderThroughHelm(templates: readonly string[], values: Record<string, unknown>): Record<string, any>[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rspp-writer-'));
  try {
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: writer-test\nversion: 0.1.0\n');
    fs.writeFileSync(path.join(dir, 'values.yaml'), JSON.stringify(values));
    templates.forEach((t, i) => fs.writeFileSync(path.join(dir, 'templates', `t${i}.yaml`), t));
    const r = helm(['template', 'w', dir]);
    if (r.status !== 0) throw new Error(r.stderr);
    return parseManifests(r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('arbitrary literal strings render back to themselves', () => {
  const tricky = ['{{ $labels.pod }}', '}}{{', 'yes', 'on', 'No', '~', 'null', '0755', '1e3', '"quoted"', "it's", 'a\nb\n', '  lead', 'tab\tx', 'ünïcødé ✓', '- item', '# not a comment', '*alias', '&anchor', '{{- "x" -}}', '\\u0041'];
  const random = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), { seed: 42, numRuns: 150 })
    .map((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff\ufeff\ufffe\uffff]/g, ''));
  const strings = [...tricky, ...random];
  const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: Object.fromEntries(strings.map((s, i) => [`k${i}`, s])) };
  const [rendered] = renderThroughHelm([renderHelmTemplate(manifest, [], () => 'unused', 'test')], {});
  expect(rendered).toStrictEqual(manifest);
});

test('a value embedded in a string renders in place; with its default it reproduces the original', () => {
  const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { url: 'wss://X/rtc {{ keep }}' } };
  const template = renderHelmTemplate(manifest, [{ path: ['data', 'url'], segments: [{ literal: 'wss://' }, { tunable: domain }, { literal: '/rtc {{ keep }}' }] }],
    (t) => valuesReference('.Values', t.key), 'test');
  const [rendered] = renderThroughHelm([template], { livekit: { domain: 'lk.example.com' } });
  expect(rendered.data.url).toBe('wss://lk.example.com/rtc {{ keep }}');
});

test('keys that are not identifiers are read with index', () => {
  expect(valuesReference('.Values', 'a.b')).toBe('.Values.a.b');
  expect(valuesReference('.Values', 'rspp-runtime.image')).toBe('(index .Values "rspp-runtime" "image")');
});

test('a map key containing a template delimiter is refused', () => {
  const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { '{{x}}': 'v' } };
  expect(() => renderHelmTemplate(manifest, [], () => '', 'ConfigMap/-/cm')).toThrow(/ConfigMap\/-\/cm has a map key containing a Go template delimiter at \.data\.\{\{x\}\}/);
});
