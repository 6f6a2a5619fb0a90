import type { Kysely } from 'kysely';
import type { PeerInfo } from '@educloud/protocol';
import type { SignalingTables } from '../db/schema.js';
import type { LiveState } from './live-state.js';

/**
 * Class facts in the server's database: a single node killed and started again finds its
 * live classes and their members where it left them.
 */
export class DatabaseLiveState implements LiveState {
  constructor(private readonly db: Kysely<SignalingTables>) {}

  async isLive(classId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('live_classes')
      .select('class_id')
      .where('class_id', '=', classId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async setLive(classId: string, live: boolean): Promise<void> {
    if (live) {
      await this.db
        .insertInto('live_classes')
        .values({ class_id: classId, started_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('class_id').doNothing())
        .execute();
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('live_members').where('class_id', '=', classId).execute();
      await tx.deleteFrom('live_classes').where('class_id', '=', classId).execute();
    });
  }

  async saveMember(classId: string, m: PeerInfo): Promise<void> {
    const values = {
      user_id: m.userId,
      name: m.name,
      role: m.role,
      hand_raised: m.handRaised ? 1 : 0,
      hand_raised_at: m.handRaisedAt,
      forced_mute: m.forcedMute ? 1 : 0,
      updated_at: new Date().toISOString(),
    };
    await this.db
      .insertInto('live_members')
      .values({ class_id: classId, peer_id: m.peerId, ...values })
      .onConflict((oc) => oc.columns(['class_id', 'peer_id']).doUpdateSet(values))
      .execute();
  }

  async member(classId: string, peerId: string): Promise<PeerInfo | undefined> {
    const row = await this.db
      .selectFrom('live_members')
      .selectAll()
      .where('class_id', '=', classId)
      .where('peer_id', '=', peerId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      peerId: row.peer_id,
      userId: row.user_id,
      name: row.name,
      role: row.role,
      handRaised: row.hand_raised === 1,
      // PostgreSQL hands bigint back as a string.
      handRaisedAt: row.hand_raised_at === null ? null : Number(row.hand_raised_at),
      forcedMute: row.forced_mute === 1,
    };
  }

  async removeMember(classId: string, peerId: string): Promise<void> {
    await this.db
      .deleteFrom('live_members')
      .where('class_id', '=', classId)
      .where('peer_id', '=', peerId)
      .execute();
  }
}
