import type { ErrorCode } from '@educloud/protocol';

/** A refusal to send back in an event's ack; its message is meant for the user. */
export class AckError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
