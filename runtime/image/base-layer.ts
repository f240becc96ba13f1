/**
 * The base layer: what `FROM scratch` lacks to run Node: the node binary, the shared libraries it
 * links (found with `ldd`, stored at the paths the loader looks for them, dereferenced), a passwd
 * and group file naming the non-root user, and `/tmp` (the only writable path; mounted as a volume).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { TarEntry } from './tar-writer';

/** The unprivileged user the image runs as (distroless "nonroot"). */
export const IMAGE_USER_ID = 65532;
export const NODE_PATH_IN_IMAGE = '/usr/local/bin/node';

export interface SharedLibrary {
  /** Path the dynamic loader asks for, e.g. `/lib/x86_64-linux-gnu/libc.so.6`. */
  readonly imagePath: string;
  /** The real file on this machine. */
  readonly sourcePath: string;
}

/** Parses `ldd` output into the libraries to copy (vdso and other virtual objects skipped). */
export function parseLdd(output: string): SharedLibrary[] {
  const libraries: SharedLibrary[] = [];
  for (const line of output.split('\n')) {
    const arrow = /^\s*\S+\s+=>\s+(\/\S+)\s+\(0x[0-9a-f]+\)\s*$/.exec(line);
    const direct = /^\s*(\/\S+)\s+\(0x[0-9a-f]+\)\s*$/.exec(line);
    const path = arrow?.[1] ?? direct?.[1];
    if (path) libraries.push({ imagePath: path, sourcePath: path });
    else if (/=>\s+not found/.test(line)) throw new Error(`image: ldd reports a missing library: ${line.trim()}`);
  }
  return libraries.sort((a, b) => (a.imagePath < b.imagePath ? -1 : 1));
}

export function sharedLibrariesOf(binary: string): SharedLibrary[] {
  let output: string;
  try {
    output = execFileSync('ldd', [binary], { encoding: 'utf8' });
  } catch (error) {
    const text = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    if (/not a dynamic executable/.test(text)) return []; // static binary: nothing to copy
    throw new Error(`image: ldd ${binary} failed: ${text.trim() || String(error)}`);
  }
  return parseLdd(output).map((lib) => ({ imagePath: lib.imagePath, sourcePath: realpathSync(lib.sourcePath) }));
}

export function baseLayerEntries(nodeBinary: string, libraries: readonly SharedLibrary[]): TarEntry[] {
  const passwd = `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${IMAGE_USER_ID}:${IMAGE_USER_ID}:nonroot:/tmp:/sbin/nologin\n`;
  const group = `root:x:0:\nnonroot:x:${IMAGE_USER_ID}:\n`;
  const entries: TarEntry[] = [
    { type: 'file', path: NODE_PATH_IN_IMAGE, mode: 0o755, content: { sourcePath: realpathSync(nodeBinary) } },
    { type: 'file', path: '/etc/passwd', mode: 0o644, content: Buffer.from(passwd) },
    { type: 'file', path: '/etc/group', mode: 0o644, content: Buffer.from(group) },
    { type: 'file', path: '/etc/nsswitch.conf', mode: 0o644, content: Buffer.from('passwd: files\ngroup: files\nhosts: files dns\n') },
    { type: 'dir', path: '/tmp', mode: 0o1777 },
  ];
  for (const lib of libraries) entries.push({ type: 'file', path: lib.imagePath, mode: 0o755, content: { sourcePath: lib.sourcePath } });
  return entries;
}

/** Debian multiarch triplet per OCI architecture. */
export const MULTIARCH_TRIPLETS: Readonly<Record<string, string>> = { amd64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

function readelf(args: readonly string[], file: string): string {
  try {
    return execFileSync('readelf', [...args, file], { encoding: 'utf8' });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'image: readelf not found (Debian package binutils); run `bash test/tools/install-test-tools.sh image`'
        : `image: readelf ${args.join(' ')} ${file} failed: ${String((error as { stderr?: string }).stderr ?? error).trim()}`,
    );
  }
}

/**
 * The shared libraries of a binary built for another architecture (no `ldd`: it cannot run it),
 * resolved inside `sysroot` (the extracted Debian packages of that architecture): the program
 * interpreter, then every `NEEDED` soname, transitively, looked up in the multiarch and plain lib
 * directories like the loader does. Paths are the in-image paths; sources are dereferenced files
 * that must stay inside the sysroot.
 */
export function sharedLibrariesInSysroot(binary: string, sysroot: string, architecture: string): SharedLibrary[] {
  const triplet = MULTIARCH_TRIPLETS[architecture];
  if (!triplet) throw new Error(`image: no multiarch triplet for architecture ${architecture}`);
  const root = realpathSync(sysroot);
  const searchDirs = [`/lib/${triplet}`, `/usr/lib/${triplet}`, '/lib', '/usr/lib'];
  const found = new Map<string, string>();
  const add = (imagePath: string): string => {
    const candidate = join(root, imagePath);
    if (!existsSync(candidate)) throw new Error(`image: ${imagePath} not found in ${sysroot}; add its Debian ${architecture} package to install-test-tools.sh`);
    const source = realpathSync(candidate);
    if (source !== root && !source.startsWith(`${root}/`)) throw new Error(`image: ${candidate} resolves outside the sysroot (${source})`);
    found.set(imagePath, source);
    return source;
  };
  const interpreter = /\[Requesting program interpreter: (\/[^\]]+)\]/.exec(readelf(['-lW'], binary))?.[1];
  if (interpreter) add(interpreter);
  const queue = [binary];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const match of readelf(['-dW'], file).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)) {
      const soname = match[1];
      if (seen.has(soname)) continue;
      seen.add(soname);
      const dir = searchDirs.find((d) => existsSync(join(root, d, soname)));
      if (!dir) throw new Error(`image: ${soname} (needed by ${file}) not found in ${sysroot} (searched ${searchDirs.join(', ')}); add its Debian ${architecture} package to install-test-tools.sh`);
      queue.push(add(`${dir}/${soname}`));
    }
  }
  return [...found].map(([imagePath, sourcePath]) => ({ imagePath, sourcePath })).sort((a, b) => (a.imagePath < b.imagePath ? -1 : 1));
}
