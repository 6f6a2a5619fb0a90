import { errorBodySchema, type ErrorCode, type FieldError } from '@educloud/protocol';

/** Codes the server sends, plus the ones the client raises itself. */
export type ApiErrorCode = ErrorCode | 'network_error' | 'bad_response';

/** A failed API call, with what the UI needs to explain it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads the `{error:{code,message,fields}}` body; tolerates proxies that answer with HTML. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, fields } = parsed.data.error;
    return new ApiError(res.status, code, message, fields ?? []);
  }
  return new ApiError(
    res.status,
    res.status >= 500 ? 'internal' : 'bad_response',
    `The server answered ${res.status} ${res.statusText}`.trim(),
  );
}

export function networkError(cause: unknown): ApiError {
  const err = new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection.');
  err.cause = cause;
  return err;
}

/** The message to show for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong';
}
