/**
 * Validation and defaulting of `LeaseRequest`s, shared by every store so both reject the same inputs
 * with the same messages.
 */
import { DEFAULT_LEASE_TTL_SECONDS } from '../contracts/runtime-interface';
import { LeaseError } from './lease-errors';
import type { LeaseRequest } from './lease-store';

/** A request with defaults applied and fields checked. */
export interface NormalizedLeaseRequest {
  readonly key: string;
  readonly holderId: string;
  readonly ttlSeconds: number;
  readonly ttlMs: number;
  readonly waitMs: number;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$/;

export function assertLeaseKey(key: string, where: string): void {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key) || key.endsWith('/') || key.includes('//')) {
    throw new LeaseError(
      'invalid_request',
      `${where}: key ${JSON.stringify(key)} is invalid; use 1-255 characters of [A-Za-z0-9._:/-], ` +
        'starting with a letter or digit, without "//" or a trailing "/"',
    );
  }
}

export function assertTtlSeconds(ttlSeconds: number, where: string): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) {
    throw new LeaseError(
      'invalid_request',
      `${where} must be a whole number of seconds between 1 and 86400, got ${ttlSeconds}`,
    );
  }
}

export function normalizeLeaseRequest(request: LeaseRequest, defaultTtlSeconds = DEFAULT_LEASE_TTL_SECONDS): NormalizedLeaseRequest {
  assertLeaseKey(request.key, 'LeaseRequest.key');
  if (typeof request.holderId !== 'string' || request.holderId.trim().length === 0 || request.holderId.length > 253) {
    throw new LeaseError('invalid_request', 'LeaseRequest.holderId must be a non-empty string of at most 253 characters (e.g. the pod name)');
  }
  const ttlSeconds = request.ttlSeconds ?? defaultTtlSeconds;
  assertTtlSeconds(ttlSeconds, 'LeaseRequest.ttlSeconds');
  const waitMs = request.waitMs ?? 0;
  if (!Number.isFinite(waitMs) || waitMs < 0) {
    throw new LeaseError('invalid_request', `LeaseRequest.waitMs must be a finite number >= 0, got ${waitMs}`);
  }
  return { key: request.key, holderId: request.holderId, ttlSeconds, ttlMs: ttlSeconds * 1000, waitMs };
}
