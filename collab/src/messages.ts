import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

// y-websocket message types (first varuint of every frame).
const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
const MESSAGE_AUTH = 2;
const MESSAGE_QUERY_AWARENESS = 3;

export type ClientMessage =
  | { kind: 'step1'; stateVector: Uint8Array }
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array; clients: number[] }
  | { kind: 'queryAwareness' };

export class MessageError extends Error {
  constructor(readonly unknownType: boolean) {
    super(unknownType ? 'unknown message type' : 'malformed message');
  }
}

function readBytes(d: decoding.Decoder): Uint8Array {
  const len = decoding.readVarUint(d);
  // ws may hand us a view into a larger pooled buffer: lib0 would read past the frame.
  if (len > d.arr.length - d.pos) throw new MessageError(false);
  // Copy: the frame's memory is not ours to keep.
  return decoding.readUint8Array(d, len).slice();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Dry-run decode so applyAwarenessUpdate, which mutates as it parses, never sees half a message.
function checkAwareness(update: Uint8Array): number[] {
  const d = decoding.createDecoder(update);
  const count = decoding.readVarUint(d);
  const clients: number[] = [];
  for (let i = 0; i < count; i++) {
    clients.push(decoding.readVarUint(d));
    decoding.readVarUint(d);
    const len = decoding.readVarUint(d);
    if (len > d.arr.length - d.pos) throw new MessageError(false);
    JSON.parse(utf8.decode(decoding.readUint8Array(d, len)));
  }
  if (decoding.hasContent(d)) throw new MessageError(false);
  return clients;
}

export function parseClientMessage(frame: Uint8Array): ClientMessage {
  try {
    const d = decoding.createDecoder(frame);
    const type = decoding.readVarUint(d);
    let msg: ClientMessage;
    switch (type) {
      case MESSAGE_SYNC: {
        const syncType = decoding.readVarUint(d);
        const payload = readBytes(d);
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          Y.decodeStateVector(payload);
          msg = { kind: 'step1', stateVector: payload };
        } else if (
          syncType === syncProtocol.messageYjsSyncStep2 ||
          syncType === syncProtocol.messageYjsUpdate
        ) {
          msg = { kind: 'update', update: payload };
        } else {
          throw new MessageError(true);
        }
        break;
      }
      case MESSAGE_AWARENESS: {
        const update = readBytes(d);
        msg = { kind: 'awareness', update, clients: checkAwareness(update) };
        break;
      }
      case MESSAGE_QUERY_AWARENESS:
        msg = { kind: 'queryAwareness' };
        break;
      default:
        throw new MessageError(true);
    }
    // One message per frame: trailing bytes mean a framing bug or a probe.
    if (decoding.hasContent(d)) throw new MessageError(false);
    return msg;
  } catch (err) {
    if (err instanceof MessageError) throw err;
    throw new MessageError(false);
  }
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(e, doc);
  return encoding.toUint8Array(e);
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeSyncStep2(e, doc, stateVector);
  return encoding.toUint8Array(e);
}

/** A sync step 2 frame carrying an update the caller already has (the whole document). */
export function encodeSyncStep2Update(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  syncProtocol.writeUpdate(e, update);
  return encoding.toUint8Array(e);
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodePermissionDenied(reason: string): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AUTH);
  authProtocol.writePermissionDenied(e, reason);
  return encoding.toUint8Array(e);
}
