/**
 * Kubernetes label-selector semantics, for the cross-object rules that ask "which pods does this
 * Service / PDB / NetworkPolicy / anti-affinity term select" (RSPP-META-002, RSPP-HA-002..004).
 */
import { asArray, asRecord, asString, asStringMap } from './manifest-object';

/** A `LabelSelector` (`matchLabels` + `matchExpressions`). */
export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  const s = asRecord(selector);
  for (const [key, value] of Object.entries(asStringMap(s.matchLabels))) {
    if (labels[key] !== value) return false;
  }
  for (const raw of asArray(s.matchExpressions)) {
    const expression = asRecord(raw);
    const key = asString(expression.key) ?? '';
    const values = asArray(expression.values).filter((v): v is string => typeof v === 'string');
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false; // an unknown operator selects nothing (the API server would reject it)
    }
  }
  return true;
}

/** A Service-style selector (a plain map). An empty map selects nothing here, as for Services. */
export function mapSelectorMatches(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** True when a `LabelSelector` has no terms, i.e. selects every pod. */
export function isEmptyLabelSelector(selector: unknown): boolean {
  const s = asRecord(selector);
  return Object.keys(asStringMap(s.matchLabels)).length === 0 && asArray(s.matchExpressions).length === 0;
}
