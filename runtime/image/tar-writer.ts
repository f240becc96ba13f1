/**
 * A deterministic tar (POSIX ustar, PAX extended headers only for paths that do not fit) writer for
 * OCI layers: entries sorted by path, fixed mtime, uid/gid and modes, no user/group names, no
 * device numbers. Same entries in, same bytes out, on any machine.
 */
import { readFileSync } from 'node:fs';

export type TarEntry =
  | { readonly type: 'dir'; readonly path: string; readonly mode: number }
  | { readonly type: 'file'; readonly path: string; readonly mode: number; readonly content: Buffer | { readonly sourcePath: string } }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string };

export interface TarOptions {
  /** mtime of every entry, seconds since the epoch. @default 0 */
  readonly mtimeSeconds?: number;
  /** @default 0 */
  readonly uid?: number;
  /** @default 0 */
  readonly gid?: number;
}

const BLOCK = 512;

/** Layer path form: relative, no leading '/', directories without trailing '/'. */
export function normalizeLayerPath(path: string): string {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed.length === 0 || trimmed.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`tar entry path "${path}" must be a clean absolute or relative path (no "", ".", ".." segments)`);
  }
  return trimmed;
}

export function writeTar(entries: readonly TarEntry[], options: TarOptions = {}): Buffer {
  const mtime = options.mtimeSeconds ?? 0;
  const uid = options.uid ?? 0;
  const gid = options.gid ?? 0;
  const sorted = [...entries].map((e) => ({ ...e, path: normalizeLayerPath(e.path) })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].path === sorted[i - 1].path) throw new Error(`tar: duplicate entry ${sorted[i].path}`);
  }
  const chunks: Buffer[] = [];
  for (const entry of sorted) {
    const name = entry.type === 'dir' ? `${entry.path}/` : entry.path;
    const body = entry.type === 'file' ? (Buffer.isBuffer(entry.content) ? entry.content : readFileSync(entry.content.sourcePath)) : Buffer.alloc(0);
    const linkName = entry.type === 'symlink' ? entry.target : '';
    const split = splitUstarName(name);
    if (!split || Buffer.byteLength(linkName) > 100) {
      const records: Array<[string, string]> = [];
      if (!split) records.push(['path', name]);
      if (Buffer.byteLength(linkName) > 100) records.push(['linkpath', linkName]);
      const pax = paxBody(records);
      chunks.push(header({ name: 'PaxHeaders/entry', prefix: '', size: pax.length, mode: 0o644, type: 'x', linkName: '', mtime, uid, gid }));
      chunks.push(pad(pax));
    }
    const short = split ?? { name: name.slice(-99).replace(/^\/*/, ''), prefix: '' };
    chunks.push(
      header({
        name: short.name,
        prefix: short.prefix,
        size: body.length,
        mode: entry.type === 'symlink' ? 0o777 : entry.mode,
        type: entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0',
        linkName: Buffer.byteLength(linkName) > 100 ? '' : linkName,
        mtime,
        uid,
        gid,
      }),
    );
    if (body.length > 0) chunks.push(pad(body));
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(chunks);
}

function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest.length > 0) return { name: rest, prefix };
  }
  return undefined;
}

function paxBody(records: ReadonlyArray<[string, string]>): Buffer {
  let text = '';
  for (const [key, value] of records) {
    const core = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(core) + 1;
    while (String(length).length + Buffer.byteLength(core) !== length) length = String(length).length + Buffer.byteLength(core);
    text += `${length}${core}`;
  }
  return Buffer.from(text, 'utf8');
}

interface HeaderFields {
  readonly name: string;
  readonly prefix: string;
  readonly size: number;
  readonly mode: number;
  readonly type: string;
  readonly linkName: string;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
}

function header(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, 'utf8');
  writeOctal(block, fields.mode & 0o7777, 100, 8);
  writeOctal(block, fields.uid, 108, 8);
  writeOctal(block, fields.gid, 116, 8);
  writeOctal(block, fields.size, 124, 12);
  writeOctal(block, fields.mtime, 136, 12);
  block.fill(0x20, 148, 156); // checksum placeholder: spaces
  block.write(fields.type, 156, 1, 'ascii');
  block.write(fields.linkName, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'binary');
  writeOctal(block, 0, 329, 8); // devmajor
  writeOctal(block, 0, 337, 8); // devminor
  block.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
  return block;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) throw new Error(`tar: value ${value} does not fit ${length - 1} octal digits (files over 8 GiB are not supported)`);
  block.write(`${text}\u0000`, offset, length, 'ascii');
}

function pad(body: Buffer): Buffer {
  const remainder = body.length % BLOCK;
  return remainder === 0 ? body : Buffer.concat([body, Buffer.alloc(BLOCK - remainder)]);
}
