/**
 * Scans a synthesized stack (`cdk.tf.json`) for secret values in plain text. A secret may only
 * enter a stack as a reference to a sensitive, ephemeral variable consumed by a write-only argument,
 * or as the name of an existing Kubernetes Secret. Reported, each with its JSON path:
 * - a Kubernetes Secret with `data`/`string_data`/`binary_data` (those are stored in state: use `*_wo`);
 * - a secret-named field (password, token, api key...) holding a literal instead of a variable;
 * - a variable feeding a write-only argument or a secret-named field that is not sensitive + ephemeral, or has a default;
 * - any long high-entropy literal (a pasted key), including inside Helm `values` YAML.
 */
import { parse } from 'yaml';

export interface SecretFinding {
  readonly path: string;
  readonly reason: string;
}

const SECRET_FIELD = /(password|passwd|secret|token|api[-_]?key|private[-_]?key|credential|access[-_]?key|client[-_]?key)/i;
/** Fields that name or point at a secret rather than hold one (`secrets`: the Secret names Alertmanager mounts). */
const REFERENCE_FIELD = /(name|ref|existingsecret|passwordkey|key_?file|revision|description|enabled|storekeysinsecret)$|^secrets$/i;
const VAR_REF = /\$\{var\.([A-Za-z0-9_-]+)\}/g;
const DIGEST_OR_IMAGE = /sha256:[a-f0-9]{64}/;

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/** A literal that looks like a generated key or token (not a digest, path, URL or expression). */
export function looksLikeSecretLiteral(value: string): boolean {
  if (value.includes('${') || DIGEST_OR_IMAGE.test(value)) return false;
  return /^[A-Za-z0-9+/=_-]{24,}$/.test(value) && entropy(value) >= 4 && /[0-9]/.test(value) && /[A-Za-z]/.test(value);
}

interface VariableDecl {
  readonly sensitive?: boolean;
  readonly ephemeral?: boolean;
  readonly default?: unknown;
}

export function scanStackForSecrets(stackJson: unknown): SecretFinding[] {
  const doc = stackJson as { variable?: Record<string, VariableDecl>; resource?: Record<string, Record<string, Record<string, unknown>>> };
  const variables = doc.variable ?? {};
  const findings: SecretFinding[] = [];
  const requireSecretVariables = (text: string, path: string, why: string): void => {
    for (const [, name] of text.matchAll(VAR_REF)) {
      const v = variables[name];
      if (!v?.sensitive || !v.ephemeral) findings.push({ path, reason: `${why} uses variable "${name}", which is not sensitive and ephemeral (it would be stored in state or shown in plans)` });
      else if (v.default !== undefined) findings.push({ path, reason: `sensitive variable "${name}" has a default value: the secret would be in the JSON` });
    }
  };

  const walk = (value: unknown, path: string, field: string, writeOnly: boolean): void => {
    if (typeof value === 'string') {
      const secretField = SECRET_FIELD.test(field) && !REFERENCE_FIELD.test(field);
      if (writeOnly) requireSecretVariables(value, path, 'a write-only argument');
      if (secretField) {
        const literal = value.replace(VAR_REF, '').replace(/[\s:=,;"'-]/g, '');
        if (literal.length > 0) findings.push({ path, reason: `secret-named field "${field}" holds a literal value; pass it through a sensitive ephemeral variable` });
        requireSecretVariables(value, path, `secret-named field "${field}"`);
      }
      if (looksLikeSecretLiteral(value)) findings.push({ path, reason: 'high-entropy literal that looks like a key or token' });
      if (field === 'values' || /^values\[\d+\]$/.test(field)) {
        let parsed: unknown;
        try {
          parsed = parse(value);
        } catch {
          parsed = undefined;
        }
        if (parsed && typeof parsed === 'object') walk(parsed, `${path}<yaml>`, '', false);
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`, field === 'values' ? `values[${i}]` : field, writeOnly));
      return;
    }
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      // `set_wo`/`set_sensitive` entries name the value in `name` and carry it in `value`.
      const setEntryName = typeof record.name === 'string' && 'value' in record ? record.name : undefined;
      for (const [key, item] of Object.entries(record)) {
        if (key === '//') continue;
        const childField = key === 'value' && setEntryName ? setEntryName.split('.').pop()! : key;
        walk(item, `${path}.${key}`, childField, writeOnly || /_wo$/.test(key));
      }
    }
  };

  for (const [type, resources] of Object.entries(doc.resource ?? {})) {
    for (const [name, body] of Object.entries(resources)) {
      const path = `resource.${type}.${name}`;
      if (/^kubernetes_secret(_v1)?$/.test(type)) {
        for (const plain of ['data', 'string_data', 'binary_data']) {
          if (body[plain] !== undefined) findings.push({ path: `${path}.${plain}`, reason: `Secret ${plain} is stored in Terraform state; use ${plain === 'binary_data' ? 'binary_data_wo' : 'data_wo'} with ephemeral variables` });
        }
      }
      walk(body, path, '', false);
    }
  }
  for (const [section, content] of Object.entries(doc as Record<string, unknown>)) {
    if (section === 'resource' || section === 'variable' || section === '//') continue;
    walk(content, section, section, false);
  }
  return findings;
}
