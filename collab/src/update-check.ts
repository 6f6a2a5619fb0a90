import * as Y from 'yjs';

export type UpdateVerdict =
  | { ok: true; empty: boolean; ends: Map<number, number> }
  | {
      ok: false;
      reason: 'undecodable' | 'gap' | 'unknown origin' | 'unknown parent' | 'unknown deletion';
    };

/**
 * Decides whether a client's update may be stored. It must decode, and everything it builds on
 * (the previous clock of each client, origins, parents) must be known to the server or be in
 * the update itself: a client on our socket only ever edits on top of what we sent it, so a
 * dangling reference is garbage that would sit in the document as pending structs forever.
 * `known(client)` is the next clock the server expects from that client.
 */
export function checkUpdate(update: Uint8Array, known: (client: number) => number): UpdateVerdict {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    return { ok: false, reason: 'undecodable' };
  }
  const { structs, ds } = decoded;
  const ends = new Map<number, number>();
  for (const s of structs) {
    if (s instanceof Y.Skip) return { ok: false, reason: 'gap' };
    const client = s.id.client;
    const end = ends.get(client) ?? known(client);
    if (s.id.clock > end) return { ok: false, reason: 'gap' };
    ends.set(client, Math.max(end, s.id.clock + s.length));
  }
  const has = (id: Y.ID) => id.clock < (ends.get(id.client) ?? known(id.client));
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    if (s.origin && !has(s.origin)) return { ok: false, reason: 'unknown origin' };
    if (s.rightOrigin && !has(s.rightOrigin)) return { ok: false, reason: 'unknown origin' };
    const parent: unknown = s.parent;
    if (parent instanceof Y.ID && !has(parent)) return { ok: false, reason: 'unknown parent' };
  }
  // A client only deletes what it has, and it has nothing the server lacks: deletions of
  // unknown items would sit in the document as a pending delete set forever.
  for (const [client, ranges] of ds.clients) {
    const end = ends.get(client) ?? known(client);
    for (const r of ranges) {
      if (r.clock + r.len > end) return { ok: false, reason: 'unknown deletion' };
    }
  }
  return { ok: true, empty: structs.length === 0 && ds.clients.size === 0, ends };
}
