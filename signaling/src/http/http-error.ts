import type { ErrorCode, FieldError } from '@educloud/protocol';

const statusByCode: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  limit_exceeded: 409,
  waiting_room: 403,
  class_locked: 403,
  removed: 403,
  chat_disabled: 403,
  poll_closed: 409,
};

/** An error meant for the client: its code and message are sent as they are. */
export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.status = statusByCode[code];
  }
}
