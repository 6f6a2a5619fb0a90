import type { Kysely } from 'kysely';
import { emptyStage, type StageState } from '@educloud/protocol';
import type { SignalingTables } from '../db/schema.js';

/**
 * Each live class's stage, kept in the database so a restarted node (or another one) finds it
 * where the presenter left it. Changes to one class are applied one after another on this
 * node, so two quick views never overwrite each other out of order.
 */
export class StageStore {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly db: Kysely<SignalingTables>) {}

  async get(classId: string): Promise<StageState> {
    const row = await this.db
      .selectFrom('live_stage')
      .select('state')
      .where('class_id', '=', classId)
      .executeTakeFirst();
    return row ? (JSON.parse(row.state) as StageState) : { ...emptyStage };
  }

  /**
   * Applies `change` to the current state and stores the result with the next version; a
   * change that throws leaves the state as it was.
   */
  update(classId: string, change: (s: StageState) => Omit<StageState, 'version'>) {
    const run = async (): Promise<StageState> => {
      const current = await this.get(classId);
      const next: StageState = { ...change(current), version: current.version + 1 };
      const values = { state: JSON.stringify(next), updated_at: new Date().toISOString() };
      await this.db
        .insertInto('live_stage')
        .values({ class_id: classId, ...values })
        .onConflict((oc) => oc.column('class_id').doUpdateSet(values))
        .execute();
      return next;
    };
    const queued = (this.queues.get(classId) ?? Promise.resolve()).then(run, run);
    const settled = queued.catch(() => undefined);
    this.queues.set(classId, settled);
    void settled.then(() => {
      if (this.queues.get(classId) === settled) this.queues.delete(classId);
    });
    return queued;
  }

  /** The class ended: the next session starts with an empty stage. */
  async forget(classId: string): Promise<void> {
    await this.db.deleteFrom('live_stage').where('class_id', '=', classId).execute();
  }
}
