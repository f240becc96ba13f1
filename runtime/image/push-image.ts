/**
 * Pushes the built multi-platform image (the OCI layout's image index, every platform, every blob)
 * to a registry with `skopeo copy --all --preserve-digests`, then reads the index back from the
 * registry and checks its digest is the one built, so the digest printed is the digest envs pin.
 * skopeo asks the registry for each blob first (HEAD) and uploads only the missing ones, so pushing
 * an unchanged build again uploads nothing. Credentials: skopeo's own (`--authfile`, or
 * `$REGISTRY_AUTH_FILE` / `${XDG_RUNTIME_DIR}/containers/auth.json` from `skopeo login`).
 */
import { spawnSync } from 'node:child_process';
import { sha256Digest } from './oci-layout-writer';

/** `<registry>/<path>`: a registry host (with optional port) and a repository path, no tag or digest. */
const REPOSITORY_PATTERN = /^(?<registry>[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]+)?)\/(?<path>[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*)$/;

export interface PushImageOptions {
  /** The OCI layout written by `buildImage` (`<outDir>/oci`). */
  readonly layoutDir: string;
  /** The layout's ref name of the image index (the build's tag). */
  readonly tag: string;
  /** The index digest the build recorded (`runtime.json` → `digest`). */
  readonly digest: string;
  /** `<registry>/<repo>`, e.g. `ghcr.io/acme/rspp-runtime` or `127.0.0.1:5000/rspp/runtime`. */
  readonly repository: string;
  /** Plain HTTP / unverified TLS (a local test registry). @default false */
  readonly insecure?: boolean;
  /** skopeo `--authfile`. */
  readonly authFile?: string;
  /** @default 'skopeo' */
  readonly skopeo?: string;
}

export interface PushImageResult {
  /** `<repository>@<index digest>`. */
  readonly image: string;
  readonly digest: string;
  readonly durationMs: number;
}

export function checkPushRepository(repository: string): void {
  if (!REPOSITORY_PATTERN.test(repository) || !/[.:]|^localhost\//.test(repository.split('/')[0])) {
    throw new Error(
      `--push "${repository}": expected <registry>/<repository> without tag or digest, the registry a host name with a dot or a port (e.g. ghcr.io/acme/rspp-runtime, 127.0.0.1:5000/rspp/runtime)`,
    );
  }
}

export function pushImage(options: PushImageOptions): PushImageResult {
  checkPushRepository(options.repository);
  const skopeo = options.skopeo ?? 'skopeo';
  const tls = options.insecure ? ['--dest-tls-verify=false'] : [];
  const auth = options.authFile ? ['--dest-authfile', options.authFile] : [];
  const start = performance.now();
  const run = (args: string[]): string => {
    const result = spawnSync(skopeo, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw new Error(`image push: cannot run ${skopeo} (${result.error.message}); install skopeo (\`bash test/tools/install-test-tools.sh image\`)`);
    if (result.status !== 0) throw new Error(`image push: skopeo ${args[0]} to ${options.repository} failed: ${result.stderr.trim()}`);
    return result.stdout;
  };
  run(['copy', '--all', '--preserve-digests', '--quiet', ...tls, ...auth, `oci:${options.layoutDir}:${options.tag}`, `docker://${options.repository}:${options.tag}`]);
  const raw = run([
    'inspect',
    '--raw',
    ...(options.insecure ? ['--tls-verify=false'] : []),
    ...(options.authFile ? ['--authfile', options.authFile] : []),
    `docker://${options.repository}@${options.digest}`,
  ]);
  const pulled = sha256Digest(raw);
  if (pulled !== options.digest) throw new Error(`image push: the registry serves index ${pulled} for ${options.repository}@${options.digest}; the push did not preserve the digest`);
  return { image: `${options.repository}@${options.digest}`, digest: options.digest, durationMs: Math.round(performance.now() - start) };
}
