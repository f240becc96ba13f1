/** The deterministic tar and gzip writers behind every image layer. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { deterministicGzip } from '../../../runtime/image/deterministic-gzip';
import { parseLdd } from '../../../runtime/image/base-layer';
import { withParentDirectories } from '../../../runtime/image/layer-entries';
import { writeTar, type TarEntry } from '../../../runtime/image/tar-writer';

const longDir = `app/node_modules/${'deeply-nested-package-name/'.repeat(4)}build/src/generated`;
const entries: TarEntry[] = [
  { type: 'file', path: '/app/b.js', mode: 0o644, content: Buffer.from('b') },
  { type: 'file', path: '/app/a.js', mode: 0o644, content: Buffer.from('a'.repeat(600)) },
  { type: 'dir', path: '/tmp', mode: 0o1777 },
  { type: 'file', path: `${longDir}/file-with-a-long-name.js`, mode: 0o644, content: Buffer.from('long') },
  { type: 'file', path: `app/${'x'.repeat(120)}.js`, mode: 0o755, content: Buffer.from('pax') },
  { type: 'symlink', path: 'lib64/ld.so', target: '/lib/x86_64-linux-gnu/ld.so' },
];

function listWithTar(tar: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rspp-tar-'));
  try {
    writeFileSync(join(dir, 'layer.tar'), tar);
    const result = spawnSync('tar', ['-tvf', join(dir, 'layer.tar')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout.trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('writeTar', () => {
  test('same entries in any order give the same bytes', () => {
    const a = writeTar(withParentDirectories(entries));
    const b = writeTar(withParentDirectories([...entries].reverse()));
    expect(a.equals(b)).toBe(true);
    expect(a.length % 512).toBe(0);
  });

  test('GNU tar reads it: sorted paths, fixed owner and mtime, ustar prefix and PAX for long names, modes kept', () => {
    const lines = listWithTar(writeTar(withParentDirectories(entries), { mtimeSeconds: 0 }));
    const paths = lines.map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(paths).toEqual([...paths].sort());
    expect(paths).toContain(`${longDir}/file-with-a-long-name.js`);
    expect(paths).toContain(`app/${'x'.repeat(120)}.js`);
    expect(paths).toContain('lib64/ld.so -> /lib/x86_64-linux-gnu/ld.so');
    for (const line of lines) expect(line).toMatch(/ 0\/0 .* 1970-01-01 00:00 /);
    expect(lines.find((l) => l.endsWith(' tmp/'))).toMatch(/^drwxrwxrwt/);
    expect(lines.find((l) => l.includes('x'.repeat(120)))).toMatch(/^-rwxr-xr-x/);
  });

  test('a different mtime changes the bytes (so the reproducibility test can fail)', () => {
    expect(writeTar(entries, { mtimeSeconds: 0 }).equals(writeTar(entries, { mtimeSeconds: 1 }))).toBe(false);
  });

  test('refuses duplicate and unclean paths', () => {
    expect(() => writeTar([...entries, { type: 'dir', path: 'tmp/', mode: 0o755 }])).toThrow(/duplicate entry tmp/);
    expect(() => writeTar([{ type: 'dir', path: 'a/../b', mode: 0o755 }])).toThrow(/clean/);
  });
});

describe('deterministicGzip', () => {
  test('fixed header (no name, mtime 0, OS unknown) and a lossless round trip', () => {
    const data = Buffer.from('layer bytes '.repeat(1000));
    const gz = deterministicGzip(data);
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[9]).toBe(0xff);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    expect(deterministicGzip(data).equals(gz)).toBe(true);
  });
});

describe('parseLdd', () => {
  test('keeps real libraries and the loader, skips the vdso, fails on a missing library', () => {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f96)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f95)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f97)',
    ].join('\n');
    expect(parseLdd(output).map((l) => l.imagePath)).toEqual([
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
    expect(() => parseLdd('\tlibfoo.so.1 => not found')).toThrow(/missing library/);
  });
});
