/**
 * Codes match the names of @educloud/protocol's error codes, so signaling can pass them through
 * to the client unchanged.
 */
export type SfuErrorCode =
  'validation_failed' | 'not_found' | 'forbidden' | 'conflict' | 'internal';

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
