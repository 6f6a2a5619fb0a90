import { createHmac } from 'node:crypto';

/**
 * Purpose-bound keys derived from the one server secret, so a leak of one (say, a JWT key in a
 * debugger) does not let anyone forge stream keys.
 */
export class DerivedKeys {
  readonly jwt: Uint8Array;
  readonly streamKey: Buffer;

  constructor(secret: string) {
    this.jwt = new Uint8Array(derive(secret, 'jwt-signing'));
    this.streamKey = derive(secret, 'rtmp-stream-key');
  }
}

function derive(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`educloud:${purpose}`).digest();
}
