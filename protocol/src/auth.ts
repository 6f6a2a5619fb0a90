import { z } from 'zod';

export const userRoles = ['admin', 'teacher', 'student'] as const;
export const userRoleSchema = z.enum(userRoles);
export type UserRole = z.infer<typeof userRoleSchema>;

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));
const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(200, 'must be at most 200 characters');
export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(60, 'must be at most 60 characters');

export const signupRequestSchema = z.strictObject({
  email,
  password,
  displayName: displayNameSchema,
  /** Self-service sign-up may ask for teacher or student; only admins grant admin. */
  role: z.enum(['teacher', 'student']).default('student'),
});
export type SignupRequest = z.input<typeof signupRequestSchema>;

export const loginRequestSchema = z.strictObject({ email, password: z.string().min(1).max(200) });
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const refreshRequestSchema = z.strictObject({ refreshToken: z.string().min(16).max(200) });
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const changePasswordRequestSchema = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: password,
  /** This device's refresh token: its session stays, every other one ends. */
  refreshToken: z.string().min(16).max(200).optional(),
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

export const userSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  displayName: z.string(),
  role: z.enum(['admin', 'teacher', 'student', 'guest']),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const sessionResponseSchema = z.object({
  user: userSchema,
  accessToken: z.string(),
  /** ISO time at which the access token stops being accepted. */
  accessTokenExpiresAt: z.string(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.string(),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const meResponseSchema = z.object({ user: userSchema });
export type MeResponse = z.infer<typeof meResponseSchema>;

export const updateUserRoleRequestSchema = z.strictObject({ role: userRoleSchema });
export type UpdateUserRoleRequest = z.infer<typeof updateUserRoleRequestSchema>;

export const userListResponseSchema = z.object({ users: z.array(userSchema) });
export type UserListResponse = z.infer<typeof userListResponseSchema>;
