/** Validation of Kubernetes object names, so a bad name fails in the constructor, not at `kubectl apply`. */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label (namespaces, most object names): lowercase alphanumerics and '-', ≤63 chars. */
export function isDnsLabel(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS_1123_LABEL.test(value);
}

/** RFC 1035 label (Service names, port names start with a letter), ≤63 chars. */
export function isDns1035Label(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS_1035_LABEL.test(value);
}

/**
 * Throws `<where>: props.<prop> "<value>" ...` unless `value` is an RFC 1035 label no longer than
 * `maxLength` (leave room for suffixes such as `-config`).
 */
export function assertObjectName(where: string, prop: string, value: string, maxLength = 63): string {
  if (!isDns1035Label(value) || value.length > maxLength) {
    throw new Error(
      `${where}: props.${prop} ${JSON.stringify(value)} is not a valid object name; use lowercase letters, digits and '-', ` +
        `starting with a letter, at most ${maxLength} characters`,
    );
  }
  return value;
}
