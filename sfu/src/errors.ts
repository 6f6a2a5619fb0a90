import type { ErrorCode } from '@educloud/protocol';

/** A subset of the protocol's error codes, so signaling passes them through to the client unchanged. */
export type SfuErrorCode = Extract<
  ErrorCode,
  'validation_failed' | 'not_found' | 'forbidden' | 'conflict' | 'internal'
>;

export class SfuError extends Error {
  override readonly name = 'SfuError';

  constructor(
    readonly code: SfuErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
