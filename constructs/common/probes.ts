/**
 * HTTP probes on the admin port (manifest-policy RSPP-POD-012). Liveness and readiness hit different
 * paths (`/healthz` vs `/readyz`): readiness drops when draining or when the lease is lost, liveness
 * only when the process is wedged, so a drain never gets the pod killed early.
 */
import { k8s } from 'cdk8s-plus-27';
import { PATHS, PORT_NAMES } from '../../runtime/contracts/runtime-interface';

export interface ProbeTiming {
  /** @default probe-specific, see `ADMIN_PROBE_TIMING` */
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly initialDelaySeconds?: number;
}

/** Defaults per probe kind; startup allows 60 s (30 × 2 s) before liveness takes over. */
export const ADMIN_PROBE_TIMING = {
  startup: { periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 },
  liveness: { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
  readiness: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
} as const;

/** An HTTP GET probe on a named container port. */
export function httpGetProbe(path: string, portName: string, timing: ProbeTiming): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString(portName), scheme: 'HTTP' },
    ...(timing.initialDelaySeconds !== undefined ? { initialDelaySeconds: timing.initialDelaySeconds } : {}),
    periodSeconds: timing.periodSeconds,
    timeoutSeconds: timing.timeoutSeconds,
    failureThreshold: timing.failureThreshold,
  };
}

/** Startup, liveness and readiness probes for an RSPP process serving the shared admin endpoints. */
export function adminProbes(portName: string = PORT_NAMES.admin): Required<Pick<k8s.Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'>> {
  return {
    startupProbe: httpGetProbe(PATHS.healthz, portName, ADMIN_PROBE_TIMING.startup),
    livenessProbe: httpGetProbe(PATHS.healthz, portName, ADMIN_PROBE_TIMING.liveness),
    readinessProbe: httpGetProbe(PATHS.readyz, portName, ADMIN_PROBE_TIMING.readiness),
  };
}
