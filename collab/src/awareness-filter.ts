import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Principal } from './options.js';

export type AwarenessVerdict =
  { ok: true; update: Uint8Array; clients: number[] } | { ok: false; reason: 'not_an_object' };

type State = Record<string, unknown>;

function isObject(v: unknown): v is State {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Who a cursor belongs to is the server's to say: the identity fields the clients display
 * (`user` of the notes caret, tldraw's `presence.userName`/`userId`) are overwritten with the
 * authenticated principal, so a student cannot show up as "Teacher" or as somebody else.
 * Everything else in a state is the client's, within the size limit checked before.
 * `update` has already been parsed once (messages.ts), so it is well formed.
 */
export function stampAwareness(update: Uint8Array, principal: Principal): AwarenessVerdict {
  const d = decoding.createDecoder(update);
  const e = encoding.createEncoder();
  const count = decoding.readVarUint(d);
  encoding.writeVarUint(e, count);
  const clients: number[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const state: unknown = JSON.parse(decoding.readVarString(d));
    if (state !== null && !isObject(state)) return { ok: false, reason: 'not_an_object' };
    if (state !== null) stampIdentity(state, principal);
    clients.push(clientId);
    encoding.writeVarUint(e, clientId);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, JSON.stringify(state));
  }
  return { ok: true, update: encoding.toUint8Array(e), clients };
}

function stampIdentity(state: State, principal: Principal) {
  if ('user' in state) {
    const user = isObject(state.user) ? state.user : {};
    state.user = { ...user, name: principal.name, id: principal.userId };
  }
  if (isObject(state.presence)) {
    state.presence = { ...state.presence, userName: principal.name, userId: principal.userId };
  }
}
