/**
 * Restricted security contexts (Pod Security Standards "restricted"; manifest-policy RSPP-POD-002..007).
 * Every RSPP container runs non-root with a non-zero uid, no privilege escalation, all capabilities
 * dropped, the RuntimeDefault seccomp profile and a read-only root filesystem.
 */
import { k8s } from 'cdk8s-plus-27';

/** uid/gid of the distroless `nonroot` user, which the RSPP runtime image runs as. */
export const NON_ROOT_UID = 65532;

export interface RestrictedSecurityOptions {
  /** uid the containers run as; must be > 0. @default NON_ROOT_UID (65532) */
  readonly runAsUser?: number;
  /** gid the containers run as; must be > 0. @default same as runAsUser */
  readonly runAsGroup?: number;
  /** Group that owns mounted volumes. @default same as runAsGroup */
  readonly fsGroup?: number;
}

interface ResolvedIds {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
}

/** Resolves and checks the ids; errors name `where` and the prop. */
export function resolveSecurityIds(options: RestrictedSecurityOptions = {}, where = 'restrictedSecurity'): ResolvedIds {
  const runAsUser = options.runAsUser ?? NON_ROOT_UID;
  const runAsGroup = options.runAsGroup ?? runAsUser;
  const fsGroup = options.fsGroup ?? runAsGroup;
  for (const [prop, id] of [['runAsUser', runAsUser], ['runAsGroup', runAsGroup], ['fsGroup', fsGroup]] as const) {
    if (!Number.isInteger(id) || id <= 0 || id > 2 ** 31 - 1) {
      throw new Error(`${where}: props.${prop} must be a non-zero integer id (root is not allowed), got ${id}`);
    }
  }
  return { runAsUser, runAsGroup, fsGroup };
}

/** Pod-level context: non-root, fixed ids, RuntimeDefault seccomp. */
export function restrictedPodSecurityContext(options: RestrictedSecurityOptions = {}, where?: string): k8s.PodSecurityContext {
  const ids = resolveSecurityIds(options, where);
  return {
    runAsNonRoot: true,
    runAsUser: ids.runAsUser,
    runAsGroup: ids.runAsGroup,
    fsGroup: ids.fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level context: repeats the pod-level guarantees so each container is compliant on its own. */
export function restrictedContainerSecurityContext(options: RestrictedSecurityOptions = {}, where?: string): k8s.SecurityContext {
  const ids = resolveSecurityIds(options, where);
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: ids.runAsUser,
    runAsGroup: ids.runAsGroup,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
