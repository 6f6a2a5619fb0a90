import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { chatLimits, type ChatMessage, type ChatRecipient } from '@educloud/protocol';
import type { SignalingTables } from '../db/schema.js';
import { AckError } from './ack-error.js';

type Row = SignalingTables['class_chat_messages'];

export interface ChatViewer {
  userId: string;
  role: 'teacher' | 'student';
}

export interface ChatSender extends ChatViewer {
  name: string;
}

/**
 * A class's chat, kept in the database. Private messages to the teachers are visible to the
 * teachers and to their sender only; deleted messages are kept (who deleted, when) but never
 * shown again.
 */
export class ChatService {
  /** Send times per class and user, for the rate limit. */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly db: Kysely<SignalingTables>,
    private readonly now: () => number = Date.now,
  ) {}

  async send(
    classId: string,
    sender: ChatSender,
    text: string,
    to: ChatRecipient,
  ): Promise<ChatMessage> {
    this.takeRateSlot(classId, sender.userId);
    const row: Row = {
      id: randomUUID(),
      class_id: classId,
      sender_id: sender.userId,
      sender_name: sender.name,
      sender_role: sender.role,
      text,
      recipient: to,
      sent_at: new Date(this.now()).toISOString(),
      deleted_at: null,
      deleted_by: null,
    };
    await this.db.insertInto('class_chat_messages').values(row).execute();
    return toMessage(row);
  }

  /** Marks a message deleted; not_found for another class's or an already deleted message. */
  async delete(classId: string, messageId: string, by: string): Promise<void> {
    const r = await this.db
      .updateTable('class_chat_messages')
      .set({ deleted_at: new Date(this.now()).toISOString(), deleted_by: by })
      .where('id', '=', messageId)
      .where('class_id', '=', classId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AckError('not_found', 'No such message');
  }

  /** Messages the viewer may see, oldest first: the `limit` latest before `before`. */
  async history(
    classId: string,
    viewer: ChatViewer,
    opts: { before?: string; limit: number },
  ): Promise<ChatMessage[]> {
    let q = this.db
      .selectFrom('class_chat_messages')
      .selectAll()
      .where('class_id', '=', classId)
      .where('deleted_at', 'is', null);
    if (viewer.role !== 'teacher') {
      q = q.where((eb) =>
        eb.or([eb('recipient', '=', 'everyone'), eb('sender_id', '=', viewer.userId)]),
      );
    }
    if (opts.before) q = q.where('sent_at', '<', new Date(opts.before).toISOString());
    const rows = await q
      .orderBy('sent_at', 'desc')
      .orderBy('id', 'desc')
      .limit(opts.limit)
      .execute();
    return rows.reverse().map(toMessage);
  }

  forget(classId: string): void {
    for (const key of this.recent.keys())
      if (key.startsWith(`${classId}/`)) this.recent.delete(key);
  }

  private takeRateSlot(classId: string, userId: string): void {
    const key = `${classId}/${userId}`;
    const now = this.now();
    const times = (this.recent.get(key) ?? []).filter((t) => now - t < chatLimits.windowMs);
    if (times.length >= chatLimits.burst) {
      this.recent.set(key, times);
      throw new AckError(
        'rate_limited',
        `At most ${chatLimits.burst} messages in ${chatLimits.windowMs / 1000} seconds`,
      );
    }
    times.push(now);
    this.recent.set(key, times);
  }
}

function toMessage(r: Row): ChatMessage {
  return {
    id: r.id,
    classId: r.class_id,
    senderId: r.sender_id,
    senderName: r.sender_name,
    role: r.sender_role,
    text: r.text,
    sentAt: r.sent_at,
    to: r.recipient,
  };
}
