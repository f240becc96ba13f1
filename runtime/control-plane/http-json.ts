/**
 * Small, strict JSON-over-HTTP helpers for the control-plane API: bounded bodies, strict field
 * decoding (unknown fields are errors, as contracts.md §1 asks of the project's own schemas).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlPlaneError } from './control-plane-errors';

/** Largest request body accepted. */
export const MAX_BODY_BYTES = 64 * 1024;

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ControlPlaneError('payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ControlPlaneError('invalid_request', 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ControlPlaneError('invalid_request', 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export type FieldKind = 'string' | 'epoch' | 'any';

/** Checks `body` has exactly the allowed fields, the required ones present, with the right kinds. */
export function decodeFields<R extends string, O extends string>(
  body: Record<string, unknown>,
  required: Readonly<Record<R, FieldKind>>,
  optional: Readonly<Record<O, FieldKind>>,
): Record<R, unknown> & Partial<Record<O, unknown>> {
  const allowed = new Set([...Object.keys(required), ...Object.keys(optional)]);
  for (const field of Object.keys(body)) {
    if (!allowed.has(field)) {
      throw new ControlPlaneError('invalid_request', `unknown field "${field}"; allowed: ${[...allowed].join(', ')}`, field);
    }
  }
  const check = (field: string, kind: FieldKind, value: unknown): void => {
    if (kind === 'string' && (typeof value !== 'string' || value.trim().length === 0 || value.length > 512)) {
      throw new ControlPlaneError('invalid_request', `${field} must be a non-empty string (at most 512 characters)`, field);
    }
    if (kind === 'epoch' && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)) {
      throw new ControlPlaneError('invalid_request', `${field} must be a non-negative integer epoch`, field);
    }
  };
  for (const [field, kind] of Object.entries(required) as Array<[string, FieldKind]>) {
    if (!(field in body)) throw new ControlPlaneError('invalid_request', `${field} is required`, field);
    check(field, kind, body[field]);
  }
  for (const [field, kind] of Object.entries(optional) as Array<[string, FieldKind]>) {
    if (field in body) check(field, kind, body[field]);
  }
  return body as Record<R, unknown> & Partial<Record<O, unknown>>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
