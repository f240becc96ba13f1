/**
 * Errors the control-plane API returns: a stable `code`, the HTTP status, the request field at
 * fault and a message that says how to fix it. Serialized as `{"error":{code,message,field?}}`.
 */
export type ControlPlaneErrorCode =
  | 'mutable_reference'
  | 'bundle_not_found'
  | 'invalid_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'store_unreachable'
  | 'draining'
  | 'internal';

const STATUS: Record<ControlPlaneErrorCode, number> = {
  mutable_reference: 400,
  bundle_not_found: 404,
  invalid_request: 400,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  store_unreachable: 503,
  draining: 503,
  internal: 500,
};

export class ControlPlaneError extends Error {
  readonly status: number;

  constructor(
    readonly code: ControlPlaneErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ControlPlaneError';
    this.status = STATUS[code];
  }

  toJSON(): { error: { code: ControlPlaneErrorCode; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}
