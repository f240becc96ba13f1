/**
 * The RSPP manifest policy (`manifest-policy.md`): every rule, in table order. One rule per file.
 */
import { PolicyRule } from '../policy-rule';
import { RSPP_HA_001 } from './rspp-ha-001-replicas';
import { RSPP_HA_002 } from './rspp-ha-002-disruption-budget';
import { RSPP_HA_003 } from './rspp-ha-003-spread';
import { RSPP_HA_004 } from './rspp-ha-004-autoscaler-bounds';
import { RSPP_META_001 } from './rspp-meta-001-standard-labels';
import { RSPP_META_002 } from './rspp-meta-002-service-selectors';
import { RSPP_META_003 } from './rspp-meta-003-references-exist';
import { RSPP_NET_001 } from './rspp-net-001-default-deny';
import { RSPP_NET_002 } from './rspp-net-002-labelled-flows';
import { RSPP_NS_001 } from './rspp-ns-001-pod-security-labels';
import { RSPP_NS_002 } from './rspp-ns-002-quota-and-limits';
import { RSPP_POD_001 } from './rspp-pod-001-host-namespaces';
import { RSPP_POD_002 } from './rspp-pod-002-privileged';
import { RSPP_POD_003 } from './rspp-pod-003-privilege-escalation';
import { RSPP_POD_004 } from './rspp-pod-004-run-as-non-root';
import { RSPP_POD_005 } from './rspp-pod-005-seccomp';
import { RSPP_POD_006 } from './rspp-pod-006-capabilities';
import { RSPP_POD_007 } from './rspp-pod-007-read-only-root-filesystem';
import { RSPP_POD_008 } from './rspp-pod-008-volume-types';
import { RSPP_POD_009 } from './rspp-pod-009-host-ports-and-paths';
import { RSPP_POD_010 } from './rspp-pod-010-resources';
import { RSPP_POD_011 } from './rspp-pod-011-image-digest';
import { RSPP_POD_012 } from './rspp-pod-012-probes';
import { RSPP_POD_013 } from './rspp-pod-013-service-account';
import { RSPP_POD_014 } from './rspp-pod-014-secret-env-values';
import { RSPP_POD_015 } from './rspp-pod-015-drain-grace-period';
import { RSPP_RBAC_001 } from './rspp-rbac-001-least-privilege';

export const RSPP_POLICY_RULES: readonly PolicyRule[] = [
  RSPP_POD_001,
  RSPP_POD_002,
  RSPP_POD_003,
  RSPP_POD_004,
  RSPP_POD_005,
  RSPP_POD_006,
  RSPP_POD_007,
  RSPP_POD_008,
  RSPP_POD_009,
  RSPP_POD_010,
  RSPP_POD_011,
  RSPP_POD_012,
  RSPP_POD_013,
  RSPP_POD_014,
  RSPP_POD_015,
  RSPP_NS_001,
  RSPP_NS_002,
  RSPP_NET_001,
  RSPP_NET_002,
  RSPP_RBAC_001,
  RSPP_HA_001,
  RSPP_HA_002,
  RSPP_HA_003,
  RSPP_HA_004,
  RSPP_META_001,
  RSPP_META_002,
  RSPP_META_003,
];
