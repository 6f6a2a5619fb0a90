import { z } from 'zod';

/*
 * The live room's stage: what the presenter (a teacher, or a student a teacher allowed) puts in
 * front of everyone, and where on the whiteboard they are, so the others can follow.
 */

export const stageContentSchema = z.enum(['board', 'notes']);
export type StageContent = z.infer<typeof stageContentSchema>;

const finite = z.number().finite();

/** The part of the board the presenter sees, in page coordinates. */
export const stageViewSchema = z.strictObject({
  pageId: z.string().min(1).max(200),
  x: finite,
  y: finite,
  w: finite.positive(),
  h: finite.positive(),
});
export type StageView = z.infer<typeof stageViewSchema>;

export interface StageState {
  /** Grows with every change: a client keeps the highest it has seen. */
  version: number;
  /** On stage for everyone; null: each person chooses. */
  content: StageContent | null;
  /** Who presents it (their user id) and under which name. */
  presenter: { userId: string; name: string } | null;
  /** The presenter's board page and viewport, while the board is on stage. */
  view: StageView | null;
  /** A student a teacher lets present (teachers always may). */
  allowedUserId: string | null;
}

export const emptyStage: StageState = {
  version: 0,
  content: null,
  presenter: null,
  view: null,
  allowedUserId: null,
};

/** Payloads of the stage's client events (entries in live.ts clientEvents). */
export const stageEvents = {
  /** Puts content on stage (null takes it down). Teachers, or the student allowed to. */
  present: z.strictObject({ content: stageContentSchema.nullable() }),
  /** The presenter's page and viewport moved. Only the current presenter. */
  view: stageViewSchema,
  /** Teachers: let one student present (null: none). */
  allowPresenter: z.strictObject({ userId: z.string().min(1).max(100).nullable() }),
  get: z.strictObject({}),
} as const;
