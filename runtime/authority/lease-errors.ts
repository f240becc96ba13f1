/**
 * Errors of the authority lease store. Each carries a stable `code` so callers branch on data,
 * not on message text.
 */

export type LeaseErrorCode =
  /** Another live holder has the key (after waiting `waitMs`). */
  | 'lease_held'
  /** The lease is no longer held; renew/emit under it is refused. */
  | 'lease_lost'
  /** The store did not answer in time or the connection failed. */
  | 'store_unreachable'
  /** The store was closed. */
  | 'store_closed'
  /** A request or option is malformed. */
  | 'invalid_request';

export class LeaseError extends Error {
  constructor(
    readonly code: LeaseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LeaseError';
  }
}

/** Raised by `acquire` when another placement holds the key. */
export class LeaseUnavailableError extends LeaseError {
  constructor(
    readonly key: string,
    readonly currentHolderId: string,
    readonly currentEpoch: number,
  ) {
    super(
      'lease_held',
      `authority lease for key "${key}" is held by "${currentHolderId}" at epoch ${currentEpoch}; ` +
        'retry with a larger waitMs, or wait for that holder to release or expire',
    );
    this.name = 'LeaseUnavailableError';
  }
}
