import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PollCreate, PollInfo, PollResults } from '@educloud/protocol';
import type { SignalingTables } from '../db/schema.js';
import { AckError } from './ack-error.js';

type Row = SignalingTables['class_polls'];

export interface PollViewer {
  userId: string;
  role: 'teacher' | 'student';
}

export interface PollWithResults {
  poll: PollInfo;
  /** null when the viewer may not see them (a student, before the teacher shares them). */
  results: PollResults | null;
}

/**
 * Polls and quizzes of a class, stored with their votes. Students see the right answers only
 * once the poll is closed and shared, and never who voted what.
 */
export class PollService {
  constructor(private readonly db: Kysely<SignalingTables>) {}

  async create(
    classId: string,
    by: string,
    p: Required<Omit<PollCreate, 'correct'>> & { correct?: number[] },
  ) {
    const row: Row = {
      id: randomUUID(),
      class_id: classId,
      created_by: by,
      question: p.question,
      options: JSON.stringify(p.options),
      multiple: Number(p.multiple),
      anonymous: Number(p.anonymous),
      correct: p.correct ? JSON.stringify([...p.correct].sort((a, b) => a - b)) : null,
      status: 'open',
      shared: 0,
      created_at: new Date().toISOString(),
      closed_at: null,
    };
    await this.db.insertInto('class_polls').values(row).execute();
    return row;
  }

  /** The poll of this class, or not_found (another class's poll is not found either). */
  async find(classId: string, pollId: string): Promise<Row> {
    const row = await this.db
      .selectFrom('class_polls')
      .selectAll()
      .where('id', '=', pollId)
      .where('class_id', '=', classId)
      .executeTakeFirst();
    if (!row) throw new AckError('not_found', 'No such poll in this class');
    return row;
  }

  async vote(
    classId: string,
    pollId: string,
    voter: { userId: string; name: string },
    choices: number[],
  ): Promise<Row> {
    const row = await this.find(classId, pollId);
    if (row.status !== 'open') throw new AckError('poll_closed', 'This poll is closed');
    const options = JSON.parse(row.options) as string[];
    if (choices.some((c) => c >= options.length)) {
      throw new AckError('validation_failed', `Choose among the ${options.length} options`);
    }
    if (!row.multiple && choices.length !== 1) {
      throw new AckError('validation_failed', 'Choose exactly one option');
    }
    const values = {
      user_name: voter.name,
      choices: JSON.stringify([...choices].sort((a, b) => a - b)),
      voted_at: new Date().toISOString(),
    };
    await this.db
      .insertInto('class_poll_votes')
      .values({ poll_id: pollId, user_id: voter.userId, ...values })
      .onConflict((oc) => oc.columns(['poll_id', 'user_id']).doUpdateSet(values))
      .execute();
    return row;
  }

  async close(classId: string, pollId: string): Promise<Row> {
    const row = await this.find(classId, pollId);
    if (row.status !== 'open') throw new AckError('poll_closed', 'This poll is already closed');
    const closedAt = new Date().toISOString();
    await this.db
      .updateTable('class_polls')
      .set({ status: 'closed', closed_at: closedAt })
      .where('id', '=', pollId)
      .execute();
    return { ...row, status: 'closed', closed_at: closedAt };
  }

  async share(classId: string, pollId: string): Promise<Row> {
    const row = await this.find(classId, pollId);
    await this.db.updateTable('class_polls').set({ shared: 1 }).where('id', '=', pollId).execute();
    return { ...row, shared: 1 };
  }

  info(row: Row, viewer: PollViewer, myChoices?: number[]): PollInfo {
    const revealCorrect =
      viewer.role === 'teacher' || (row.status === 'closed' && row.shared === 1);
    return {
      id: row.id,
      classId: row.class_id,
      question: row.question,
      options: JSON.parse(row.options) as string[],
      multiple: row.multiple === 1,
      anonymous: row.anonymous === 1,
      correct: revealCorrect && row.correct ? (JSON.parse(row.correct) as number[]) : null,
      status: row.status,
      shared: row.shared === 1,
      createdAt: row.created_at,
      closedAt: row.closed_at,
      ...(myChoices ? { myChoices } : {}),
    };
  }

  /** Results as a viewer may see them, or null before they are shared (students). */
  async results(row: Row, viewer: PollViewer): Promise<PollResults | null> {
    if (viewer.role !== 'teacher' && row.shared !== 1) return null;
    const votes = await this.db
      .selectFrom('class_poll_votes')
      .selectAll()
      .where('poll_id', '=', row.id)
      .orderBy('voted_at')
      .execute();
    const options = JSON.parse(row.options) as string[];
    const counts = options.map(() => 0);
    const byOption: { userId: string; name: string }[][] = options.map(() => []);
    for (const v of votes) {
      for (const c of JSON.parse(v.choices) as number[]) {
        if (c >= counts.length) continue;
        counts[c]! += 1;
        byOption[c]!.push({ userId: v.user_id, name: v.user_name });
      }
    }
    const named = viewer.role === 'teacher' && row.anonymous !== 1;
    return { pollId: row.id, counts, voters: votes.length, ...(named ? { byOption } : {}) };
  }

  /**
   * Every poll of the class, newest last; with `current` only those a class in progress shows
   * (open ones, and closed ones whose results were shared).
   */
  async list(classId: string, viewer: PollViewer, current = false): Promise<PollWithResults[]> {
    let q = this.db.selectFrom('class_polls').selectAll().where('class_id', '=', classId);
    if (current) q = q.where((eb) => eb.or([eb('status', '=', 'open'), eb('shared', '=', 1)]));
    const rows = await q.orderBy('created_at').execute();
    const mine = await this.db
      .selectFrom('class_poll_votes')
      .select(['poll_id', 'choices'])
      .where('user_id', '=', viewer.userId)
      .where('poll_id', 'in', rows.length ? rows.map((r) => r.id) : ['-'])
      .execute();
    const myChoices = new Map(mine.map((m) => [m.poll_id, JSON.parse(m.choices) as number[]]));
    return Promise.all(
      rows.map(async (row) => ({
        poll: this.info(row, viewer, myChoices.get(row.id)),
        results: await this.results(row, viewer),
      })),
    );
  }
}
