import type { UserRole } from '@educloud/protocol';

/** Who is calling: a signed-in account, or a guest whose token is scoped to one class. */
export type Principal =
  | { kind: 'user'; userId: string; role: UserRole; name: string }
  | { kind: 'guest'; userId: string; classId: string; name: string };
