import { z } from 'zod';

export const pollLimits = {
  minOptions: 2,
  maxOptions: 8,
  questionLength: 500,
  optionLength: 200,
} as const;

export const pollInfoSchema = z.object({
  id: z.string(),
  classId: z.string(),
  question: z.string(),
  options: z.array(z.string()),
  multiple: z.boolean(),
  /** Anonymous: nobody, teachers included, sees who chose what. */
  anonymous: z.boolean(),
  /** A quiz's right answers; students get them only once the poll is closed and shared. */
  correct: z.array(z.number().int()).nullable(),
  status: z.enum(['open', 'closed']),
  /** The teacher showed the results to the class. */
  shared: z.boolean(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  /** The caller's own answer, when it has one. */
  myChoices: z.array(z.number().int()).optional(),
});
export type PollInfo = z.infer<typeof pollInfoSchema>;

export const pollVoterSchema = z.object({ userId: z.string(), name: z.string() });
export const pollResultsSchema = z.object({
  pollId: z.string(),
  /** Votes per option, in option order. */
  counts: z.array(z.number().int()),
  /** People who answered. */
  voters: z.number().int(),
  /** Who chose each option: named polls, for teachers only. */
  byOption: z.array(z.array(pollVoterSchema)).optional(),
});
export type PollResults = z.infer<typeof pollResultsSchema>;

const choiceIndex = z
  .number()
  .int()
  .min(0)
  .max(pollLimits.maxOptions - 1);
const distinct = (xs: number[]) => new Set(xs).size === xs.length;

export const pollCreateSchema = z
  .strictObject({
    question: z.string().trim().min(1, 'must not be empty').max(pollLimits.questionLength),
    options: z
      .array(z.string().trim().min(1, 'must not be empty').max(pollLimits.optionLength))
      .min(pollLimits.minOptions)
      .max(pollLimits.maxOptions),
    multiple: z.boolean().default(false),
    anonymous: z.boolean().default(false),
    /** Makes the poll a quiz. */
    correct: z.array(choiceIndex).min(1).max(pollLimits.maxOptions).optional(),
  })
  .refine((p) => !p.correct || p.correct.every((i) => i < p.options.length), {
    message: 'must name existing options',
    path: ['correct'],
  })
  .refine((p) => !p.correct || distinct(p.correct), {
    message: 'must not repeat an option',
    path: ['correct'],
  })
  .refine((p) => !p.correct || p.multiple || p.correct.length === 1, {
    message: 'a single-choice quiz has one right answer',
    path: ['correct'],
  });
export type PollCreate = z.input<typeof pollCreateSchema>;

export const pollVoteSchema = z.strictObject({
  pollId: z.string().min(1).max(100),
  choices: z.array(choiceIndex).min(1).max(pollLimits.maxOptions).refine(distinct, {
    message: 'must not repeat an option',
  }),
});
export type PollVote = z.input<typeof pollVoteSchema>;

export const pollListResponseSchema = z.object({
  /** `results` is null for students until the teacher shares them. */
  polls: z.array(pollInfoSchema.extend({ results: pollResultsSchema.nullable() })),
});
export type PollListResponse = z.infer<typeof pollListResponseSchema>;
