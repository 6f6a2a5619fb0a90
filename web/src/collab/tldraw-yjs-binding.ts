import {
  InstancePresenceRecordType,
  createPresenceStateDerivation,
  react,
  type Signal,
  type TLInstancePresence,
  type TLPresenceUserInfo,
  type TLRecord,
  type TLStore,
} from 'tldraw';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { localOrigin } from './collab-connection.js';
import { installFastIndexKeyCheck } from './fast-index-key-check.js';

/** Name of the Y.Map holding the board: tldraw record id → record (plain JSON). */
export const boardRecordsKey = 'tldraw';

/**
 * The collab server refuses frames above 1 MiB (maxUpdateBytes): local changes are sent in
 * transactions of at most this much JSON, so a PDF import or a big paste goes through.
 */
const maxBatchChars = 600_000;
/**
 * Changes are sent at most this often: a drag changes records every frame, and the server's
 * token bucket (100 messages/s per connection) also has to carry the cursor.
 */
const flushEveryMs = 50;
const presenceEveryMs = 80;

export interface TldrawYjsBindingOptions {
  store: TLStore;
  doc: Y.Doc;
  awareness: WebsocketProvider['awareness'];
  user: Signal<TLPresenceUserInfo>;
}

/**
 * Keeps a tldraw store and a Yjs document in step. Document-scoped records (pages, shapes,
 * assets, bindings) live in one Y.Map keyed by record id; each local batch is written in one Y
 * transaction tagged `localOrigin`, and remote Y changes enter the store through
 * `mergeRemoteChanges`, whose changes the `source: 'user'` listener never sees: no echo.
 * Cursors travel as tldraw `instance_presence` records in y-websocket awareness, which tldraw
 * renders as collaborators.
 */
export class TldrawYjsBinding {
  readonly records: Y.Map<TLRecord>;
  private writable = true;
  private readonly pending = new Map<string, TLRecord | null>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly cleanups: (() => void)[] = [];
  private readonly presenceId: TLInstancePresence['id'];

  constructor(private readonly opts: TldrawYjsBindingOptions) {
    this.records = opts.doc.getMap<TLRecord>(boardRecordsKey);
    // Loading a large board validates every record; this takes 40% off that.
    installFastIndexKeyCheck();
    this.presenceId = InstancePresenceRecordType.createId(String(opts.doc.clientID));
  }

  /** Loads the synced Y document into the store, then starts relaying in both directions. */
  start(): void {
    const { store } = this.opts;
    const initial = [...this.records.values()];
    if (initial.length > 0) this.mergeRemote(initial, []);
    // An empty board is seeded by the first editor to mount: tldraw's integrity check puts the
    // document and a first page (fixed ids, so two first visitors agree), seen below as user
    // changes.

    this.cleanups.push(
      store.listen(
        ({ changes }) => {
          if (!this.writable) return;
          for (const r of Object.values(changes.added)) this.pending.set(r.id, r);
          for (const [, r] of Object.values(changes.updated)) this.pending.set(r.id, r);
          for (const r of Object.values(changes.removed)) this.pending.set(r.id, null);
          this.scheduleFlush();
        },
        { source: 'user', scope: 'document' },
      ),
    );

    const onRecords = (event: Y.YMapEvent<TLRecord>, txn: Y.Transaction) => {
      if (txn.origin === localOrigin) return;
      const put: TLRecord[] = [];
      const remove: TLRecord['id'][] = [];
      for (const key of event.keysChanged) {
        const value = this.records.get(key);
        if (value === undefined) {
          if (store.has(key as TLRecord['id'])) remove.push(key as TLRecord['id']);
        } else {
          put.push(value);
        }
      }
      this.mergeRemote(put, remove);
    };
    this.records.observe(onRecords);
    this.cleanups.push(() => this.records.unobserve(onRecords));

    this.startPresence();
  }

  /** While a document is locked a student's edits would be dropped by the server: send none. */
  setWritable(writable: boolean): void {
    this.writable = writable;
    if (!writable) this.pending.clear();
  }

  destroy(): void {
    clearTimeout(this.flushTimer);
    this.flush();
    for (const c of this.cleanups.splice(0)) c();
    this.opts.awareness.setLocalStateField('presence', null);
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, flushEveryMs);
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const entries = [...this.pending];
    this.pending.clear();
    let batch: [string, TLRecord | null][] = [];
    let size = 0;
    const send = () => {
      const items = batch;
      this.opts.doc.transact(() => {
        for (const [id, record] of items) {
          if (record) this.records.set(id, record);
          else this.records.delete(id);
        }
      }, localOrigin);
      batch = [];
      size = 0;
    };
    for (const entry of entries) {
      const chars = entry[1] ? JSON.stringify(entry[1]).length : entry[0].length;
      if (size > 0 && size + chars > maxBatchChars) send();
      batch.push(entry);
      size += chars;
    }
    if (batch.length) send();
  }

  /**
   * Puts records from the document into the store. The store validates every record it is
   * given; one invalid record makes it refuse the whole batch (rolled back), and only then is
   * each record checked on its own, so a large board is not validated twice.
   */
  private mergeRemote(put: unknown[], remove: TLRecord['id'][]): void {
    const { store } = this.opts;
    const apply = (records: TLRecord[]) =>
      store.mergeRemoteChanges(() => {
        if (remove.length) store.remove(remove);
        if (records.length) store.put(records);
      });
    const documentScoped = put.filter((r) => this.isDocumentScoped(r)) as TLRecord[];
    try {
      apply(documentScoped);
    } catch {
      apply(this.validRecords(documentScoped));
    }
  }

  /** Only document records travel: never another user's camera, instance or pointer. */
  private isDocumentScoped(r: unknown): boolean {
    const typeName = (r as { typeName?: unknown } | null)?.typeName;
    return (
      typeof typeName === 'string' &&
      (this.opts.store.scopedTypes.document as ReadonlySet<string>).has(typeName)
    );
  }

  /** Anyone who can write to the document can write anything into it: check before use. */
  private validRecords(records: TLRecord[]): TLRecord[] {
    const types = this.opts.store.schema.types as Record<
      string,
      { validate(r: unknown): TLRecord }
    >;
    const out: TLRecord[] = [];
    for (const r of records) {
      try {
        out.push(types[r.typeName]!.validate(r));
      } catch {
        // A record from a newer tldraw or a hand-written one: leave it out of this view.
      }
    }
    return out;
  }

  private startPresence(): void {
    const { store, awareness, user } = this.opts;
    const presence = createPresenceStateDerivation(user, this.presenceId)(store);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const publish = () => {
      timer = undefined;
      last = Date.now();
      awareness.setLocalStateField('presence', presence.get() ?? null);
    };
    publish();
    const stop = react('publish presence', () => {
      presence.get();
      if (timer) return;
      timer = setTimeout(publish, Math.max(0, presenceEveryMs - (Date.now() - last)));
    });
    this.cleanups.push(() => {
      stop();
      clearTimeout(timer);
    });

    const presenceType = store.schema.types.instance_presence;
    const onAwareness = ({
      added,
      updated,
      removed,
    }: {
      added: number[];
      updated: number[];
      removed: number[];
    }) => {
      const states = awareness.getStates();
      const put: TLInstancePresence[] = [];
      const remove: TLInstancePresence['id'][] = [];
      for (const clientId of [...added, ...updated]) {
        if (clientId === awareness.clientID) continue;
        const id = InstancePresenceRecordType.createId(String(clientId));
        const value = (states.get(clientId) as { presence?: unknown } | undefined)?.presence;
        try {
          // Keyed by the sender's client id, so nobody can move somebody else's cursor.
          if (value) {
            put.push(presenceType.validate({ ...(value as object), id }) as TLInstancePresence);
          } else if (store.has(id)) remove.push(id);
        } catch {
          // Malformed presence: ignore this client's cursor.
        }
      }
      for (const clientId of removed) {
        const id = InstancePresenceRecordType.createId(String(clientId));
        if (store.has(id)) remove.push(id);
      }
      if (put.length === 0 && remove.length === 0) return;
      store.mergeRemoteChanges(() => {
        if (remove.length) store.remove(remove);
        if (put.length) store.put(put);
      });
    };
    awareness.on('change', onAwareness);
    this.cleanups.push(() => {
      awareness.off('change', onAwareness);
      const ids = store.query.ids('instance_presence').get();
      store.mergeRemoteChanges(() => store.remove([...ids]));
    });
  }
}
