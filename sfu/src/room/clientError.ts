import { SfuError } from '../errors.js';

/** mediasoup reports bad client input as TypeError / UnsupportedError: the client's fault. */
export function asClientError(error: unknown, what: string): unknown {
  if (error instanceof TypeError || (error instanceof Error && error.name === 'UnsupportedError')) {
    return new SfuError('validation_failed', `${what}: ${error.message}`, { cause: error });
  }
  return error;
}
