/**
 * The control plane's own certificate (`RSPP_TLS_DIR`: `ca.crt`, `tls.crt`, `tls.key`), followed on
 * disk by the shared reloader of `runtime/authority/tls-files.ts` (the etcd client uses the same one).
 */
import { RUNTIME_ENV } from '../contracts/runtime-interface';
import { readTlsFiles, ReloadingTlsFiles, type ReloadingTlsFilesOptions, type TlsCredentials, type TlsFilesContext } from '../authority/tls-files';
import { ControlPlaneError } from './control-plane-errors';

export { DEFAULT_TLS_RELOAD_INTERVAL_MS, MAX_TLS_FILE_BYTES, TLS_FILE_NAMES, type TlsCredentials } from '../authority/tls-files';

const CONTROL_PLANE_TLS: TlsFilesContext = {
  envVar: RUNTIME_ENV.tlsDir,
  secret: "the control plane's certificate Secret",
  makeError: (message) => new ControlPlaneError('invalid_request', message),
};

/** Reads and checks the three files; throws a `ControlPlaneError` naming the file and the fix. */
export function readTlsCredentials(dir: string): TlsCredentials {
  return readTlsFiles(dir, CONTROL_PLANE_TLS);
}

export type ReloadingTlsCredentialsOptions = Omit<ReloadingTlsFilesOptions, 'context'>;

/** The control plane's credentials, following the files in `dir`. */
export class ReloadingTlsCredentials extends ReloadingTlsFiles {
  constructor(options: ReloadingTlsCredentialsOptions) {
    super({ ...options, context: CONTROL_PLANE_TLS });
  }
}
