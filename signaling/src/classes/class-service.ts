import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  ClassInfo,
  ClassMemberRole,
  CreateClassRequest,
  GuestJoinResponse,
  InvitePreviewResponse,
  RosterResponse,
  StreamKeyResponse,
  UpdateClassRequest,
} from '@educloud/protocol';
import type { SignalingTables } from '../db/schema.js';
import type { Principal } from '../auth/principal.js';
import { newOpaqueToken } from '../auth/opaque-token.js';
import type { TokenService } from '../auth/token-service.js';
import { toUser } from '../auth/account-service.js';
import { HttpError } from '../http/http-error.js';
import type { StreamKeys } from './stream-keys.js';

type ClassRow = SignalingTables['classes'];

export interface ClassLinks {
  /** Origin the web client is reached at, e.g. https://class.school.example */
  publicUrl: string;
  /** What OBS calls "Server", e.g. rtmp://class.school.example:1935/live */
  rtmpUrl: string;
}

export interface ClassHooks {
  /**
   * Runs after a class's rows are gone, before the deletion is answered: other parts remove
   * what they keep for it (recordings, documents). Expected to handle its own errors.
   */
  onDeleted?: (classId: string, parts: DeletedClassParts) => Promise<void>;
}

/** What a deleted class had that lives outside its rows (documents named after them). */
export interface DeletedClassParts {
  /** Its breakout rooms, open or closed: each has its own whiteboard document. */
  breakoutIds: string[];
}
/** Told when a user's membership of a class ended (userId null: the class is gone). */
export type OnMembershipEnded = (classId: string, userId: string | null) => void;

/** Classes, their membership, invite links and stream keys. */
export class ClassService {
  private readonly membershipListeners: OnMembershipEnded[] = [];

  constructor(
    private readonly db: Kysely<SignalingTables>,
    private readonly tokens: TokenService,
    private readonly streamKeys: StreamKeys,
    private readonly links: ClassLinks,
    private readonly hooks: ClassHooks = {},
  ) {}

  /** Registers a listener told after a membership ended, to close what it still holds open. */
  onMembershipEnded(listener: OnMembershipEnded): void {
    this.membershipListeners.push(listener);
  }

  async create(p: Principal, req: Required<CreateClassRequest>): Promise<ClassInfo> {
    if (p.kind !== 'user' || p.role === 'student') {
      throw new HttpError('forbidden', 'Only teachers can create classes');
    }
    const now = new Date().toISOString();
    const row: ClassRow = {
      id: randomUUID(),
      title: req.title,
      description: req.description,
      scheduled_start: req.scheduledStart,
      scheduled_end: req.scheduledEnd,
      created_by: p.userId,
      invite_code: newOpaqueToken(18),
      stream_key_salt: this.streamKeys.newSalt(),
      created_at: now,
      updated_at: now,
    };
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('classes').values(row).execute();
      await tx
        .insertInto('class_members')
        .values({ class_id: row.id, user_id: p.userId, role: 'teacher', joined_at: now })
        .execute();
    });
    return this.toInfo(row, 'teacher');
  }

  async list(p: Principal): Promise<ClassInfo[]> {
    const rows = await this.db
      .selectFrom('classes')
      .innerJoin('class_members', 'class_members.class_id', 'classes.id')
      .selectAll('classes')
      .select('class_members.role as my_role')
      .where('class_members.user_id', '=', p.userId)
      .orderBy('classes.scheduled_start')
      .orderBy('classes.created_at')
      .execute();
    return rows
      .filter((r) => p.kind === 'user' || r.id === p.classId)
      .map((r) => this.toInfo(r, r.my_role));
  }

  async get(p: Principal, classId: string): Promise<ClassInfo> {
    const { row, role } = await this.requireMember(p, classId);
    return this.toInfo(row, role);
  }

  async update(p: Principal, classId: string, req: UpdateClassRequest): Promise<ClassInfo> {
    const { row } = await this.requireTeacher(p, classId);
    const next: ClassRow = {
      ...row,
      title: req.title ?? row.title,
      description: req.description ?? row.description,
      scheduled_start: req.scheduledStart !== undefined ? req.scheduledStart : row.scheduled_start,
      scheduled_end: req.scheduledEnd !== undefined ? req.scheduledEnd : row.scheduled_end,
      updated_at: new Date().toISOString(),
    };
    if (
      next.scheduled_start &&
      next.scheduled_end &&
      Date.parse(next.scheduled_end) <= Date.parse(next.scheduled_start)
    ) {
      throw new HttpError('validation_failed', 'The class must end after it starts', [
        { path: 'scheduledEnd', message: 'must be after scheduledStart' },
      ]);
    }
    await this.db
      .updateTable('classes')
      .set({
        title: next.title,
        description: next.description,
        scheduled_start: next.scheduled_start,
        scheduled_end: next.scheduled_end,
        updated_at: next.updated_at,
      })
      .where('id', '=', classId)
      .execute();
    return this.toInfo(next, 'teacher');
  }

  async remove(p: Principal, classId: string): Promise<void> {
    await this.requireTeacher(p, classId);
    const breakoutIds = await this.db.transaction().execute(async (tx) => {
      // Read before the rows cascade away: their documents are named after them.
      const breakouts = await tx
        .selectFrom('breakout_rooms')
        .select('id')
        .where('class_id', '=', classId)
        .execute();
      await tx.deleteFrom('class_members').where('class_id', '=', classId).execute();
      await tx.deleteFrom('classes').where('id', '=', classId).execute();
      return breakouts.map((b) => b.id);
    });
    this.membershipEnded(classId, null);
    await this.hooks.onDeleted?.(classId, { breakoutIds });
  }

  /** Whether the class exists (a deleted class's kept recordings are not served). */
  async exists(classId: string): Promise<boolean> {
    return (await this.findClass(classId)) !== undefined;
  }

  /** Every class created by whoever created this one (a teacher's recording quota); [] if none. */
  async classesOfCreator(classId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('classes as c')
      .innerJoin('classes as mine', 'mine.created_by', 'c.created_by')
      .select('c.id')
      .where('mine.id', '=', classId)
      .execute();
    return rows.map((r) => r.id);
  }

  private membershipEnded(classId: string, userId: string | null): void {
    for (const listener of this.membershipListeners) listener(classId, userId);
  }

  async roster(p: Principal, classId: string): Promise<RosterResponse> {
    await this.requireTeacher(p, classId);
    const rows = await this.db
      .selectFrom('class_members')
      .innerJoin('users', 'users.id', 'class_members.user_id')
      .selectAll('users')
      .select(['class_members.role as member_role', 'class_members.joined_at'])
      .where('class_members.class_id', '=', classId)
      .orderBy('class_members.role', 'desc')
      .orderBy('users.display_name')
      .execute();
    return {
      members: rows.map((r) => {
        const { email: _email, ...user } = toUser(r);
        return { user, role: r.member_role, joinedAt: r.joined_at };
      }),
    };
  }

  async regenerateInvite(p: Principal, classId: string): Promise<string> {
    await this.requireTeacher(p, classId);
    const code = newOpaqueToken(18);
    await this.setInvite(classId, code);
    return this.inviteUrl(code);
  }

  async revokeInvite(p: Principal, classId: string): Promise<void> {
    await this.requireTeacher(p, classId);
    await this.setInvite(classId, null);
  }

  async streamKey(p: Principal, classId: string): Promise<StreamKeyResponse> {
    const { row } = await this.requireTeacher(p, classId);
    return this.streamKeyResponse(row.id, row.stream_key_salt);
  }

  async rotateStreamKey(p: Principal, classId: string): Promise<StreamKeyResponse> {
    await this.requireTeacher(p, classId);
    const salt = this.streamKeys.newSalt();
    await this.db
      .updateTable('classes')
      .set({ stream_key_salt: salt, updated_at: new Date().toISOString() })
      .where('id', '=', classId)
      .execute();
    return this.streamKeyResponse(classId, salt);
  }

  /** For the RTMP ingest: which class a presented stream key opens, if any. */
  async verifyStreamKey(streamKey: string): Promise<{ classId: string } | null> {
    const classId = this.streamKeys.claimedClassId(streamKey);
    if (!classId) return null;
    const row = await this.db
      .selectFrom('classes')
      .select(['id', 'stream_key_salt'])
      .where('id', '=', classId)
      .executeTakeFirst();
    if (!row || !this.streamKeys.matches(streamKey, row.id, row.stream_key_salt)) return null;
    return { classId: row.id };
  }

  async invitePreview(code: string): Promise<InvitePreviewResponse> {
    const row = await this.byInvite(code);
    return {
      class: {
        id: row.id,
        title: row.title,
        description: row.description,
        scheduledStart: row.scheduled_start,
        scheduledEnd: row.scheduled_end,
      },
    };
  }

  async joinByInvite(p: Principal, code: string): Promise<ClassInfo> {
    if (p.kind !== 'user') throw new HttpError('forbidden', 'Guests join with their display name');
    const row = await this.byInvite(code);
    const existing = await this.membership(row.id, p.userId);
    if (existing) return this.toInfo(row, existing);
    await this.db
      .insertInto('class_members')
      .values({
        class_id: row.id,
        user_id: p.userId,
        role: 'student',
        joined_at: new Date().toISOString(),
      })
      .execute();
    return this.toInfo(row, 'student');
  }

  async joinAsGuest(code: string, displayName: string): Promise<GuestJoinResponse> {
    const row = await this.byInvite(code);
    const now = new Date().toISOString();
    const userId = randomUUID();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('users')
        .values({
          id: userId,
          email: null,
          password_hash: null,
          display_name: displayName,
          role: 'guest',
          created_at: now,
        })
        .execute();
      await tx
        .insertInto('class_members')
        .values({ class_id: row.id, user_id: userId, role: 'student', joined_at: now })
        .execute();
    });
    const token = await this.tokens.issueGuest({ userId, classId: row.id, name: displayName });
    return {
      user: { id: userId, email: null, displayName, role: 'guest', createdAt: now },
      classId: row.id,
      guestToken: token.token,
      guestTokenExpiresAt: token.expiresAt.toISOString(),
    };
  }

  /** Takes a member off the roster (its teachers); not the caller, nor the last teacher. */
  async removeMember(p: Principal, classId: string, userId: string): Promise<void> {
    await this.requireTeacher(p, classId);
    if (userId === p.userId) throw new HttpError('conflict', 'You cannot remove yourself');
    const role = await this.membership(classId, userId);
    if (!role) throw new HttpError('not_found', 'No such member');
    await this.db
      .deleteFrom('class_members')
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .execute();
    this.membershipEnded(classId, userId);
  }

  /** Makes a member a (co-)teacher of the class or a student again; a class keeps one teacher. */
  async setMemberRole(classId: string, userId: string, role: ClassMemberRole): Promise<void> {
    const current = await this.membership(classId, userId);
    if (!current) throw new HttpError('not_found', 'No such member of this class');
    if (current === role) return;
    if (role === 'student') {
      const teachers = await this.db
        .selectFrom('class_members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('class_id', '=', classId)
        .where('role', '=', 'teacher')
        .executeTakeFirstOrThrow();
      if (Number(teachers.n) <= 1) {
        throw new HttpError('conflict', 'A class needs a teacher; promote someone else first');
      }
    }
    await this.db
      .updateTable('class_members')
      .set({ role })
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .execute();
  }

  /**
   * A removed guest's token opens only this class: taking away the membership revokes it (it
   * can neither join nor call the class's API again).
   */
  async dropGuestMembership(classId: string, userId: string): Promise<void> {
    const user = await this.db
      .selectFrom('users')
      .select('role')
      .where('id', '=', userId)
      .executeTakeFirst();
    if (user?.role !== 'guest') return;
    await this.db
      .deleteFrom('class_members')
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .execute();
  }

  /** The caller's role in a class, or null: what signaling and collab ask before letting in. */
  async roleIn(p: Principal, classId: string): Promise<ClassMemberRole | null> {
    if (p.kind === 'guest' && p.classId !== classId) return null;
    const role = await this.membership(classId, p.userId);
    if (role) return role;
    if (p.kind === 'user' && p.role === 'admin') {
      const exists = await this.findClass(classId);
      return exists ? 'teacher' : null;
    }
    return null;
  }

  /** The class and the caller's role in it: 404 when it does not exist, 403 for outsiders. */
  async requireMember(p: Principal, classId: string) {
    const row = await this.findClass(classId);
    if (!row) throw new HttpError('not_found', 'No such class');
    const role = await this.roleIn(p, classId);
    if (!role) throw new HttpError('forbidden', 'You are not a member of this class');
    return { row, role };
  }

  /** As requireMember, and 403 unless the caller teaches the class. */
  async requireTeacher(p: Principal, classId: string) {
    const found = await this.requireMember(p, classId);
    if (found.role !== 'teacher') {
      throw new HttpError('forbidden', 'Only the teachers of this class can do that');
    }
    return found;
  }

  private findClass(classId: string) {
    return this.db.selectFrom('classes').selectAll().where('id', '=', classId).executeTakeFirst();
  }

  private async membership(classId: string, userId: string) {
    const m = await this.db
      .selectFrom('class_members')
      .select('role')
      .where('class_id', '=', classId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return m?.role ?? null;
  }

  private async byInvite(code: string): Promise<ClassRow> {
    const row = await this.db
      .selectFrom('classes')
      .selectAll()
      .where('invite_code', '=', code)
      .executeTakeFirst();
    if (!row) throw new HttpError('not_found', 'This invite link is not valid (any more)');
    return row;
  }

  private async setInvite(classId: string, code: string | null) {
    await this.db
      .updateTable('classes')
      .set({ invite_code: code, updated_at: new Date().toISOString() })
      .where('id', '=', classId)
      .execute();
  }

  private inviteUrl(code: string) {
    return `${this.links.publicUrl}/join/${code}`;
  }

  private streamKeyResponse(classId: string, salt: string): StreamKeyResponse {
    return { serverUrl: this.links.rtmpUrl, streamKey: this.streamKeys.keyFor(classId, salt) };
  }

  private toInfo(row: ClassRow, myRole: ClassMemberRole): ClassInfo {
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      scheduledStart: row.scheduled_start,
      scheduledEnd: row.scheduled_end,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      myRole,
      ...(myRole === 'teacher'
        ? { inviteUrl: row.invite_code ? this.inviteUrl(row.invite_code) : null }
        : {}),
    };
  }
}
