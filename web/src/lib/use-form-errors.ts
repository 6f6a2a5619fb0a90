import { useCallback, useState } from 'react';
import type { FieldError } from '@educloud/protocol';
import { ApiError, errorMessage } from '../api/api-error.js';
import { issuesToFieldErrors, mapFieldErrors } from '../api/field-errors.js';

export interface FormErrors<F extends string> {
  /** Message per field, shown as the field's helper text. */
  field: Partial<Record<F, string>>;
  /** The error summary shown above the form. */
  form: string | null;
  /** Field errors for paths the form has no input for, listed under the summary. */
  other: FieldError[];
  clear(): void;
  /** From a thrown error (ApiError with `fields`, or anything else). */
  fromError(err: unknown): void;
  /** From a local zod validation. */
  fromIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): void;
}

/**
 * `fields` and `labels` (how to call a field inside a message) should be module-level
 * constants: they key the memoised callbacks.
 */
export function useFormErrors<F extends string>(
  fields: readonly F[],
  labels?: Readonly<Record<string, string>>,
): FormErrors<F> {
  const [state, setState] = useState<{
    field: Partial<Record<F, string>>;
    form: string | null;
    other: FieldError[];
  }>({ field: {}, form: null, other: [] });

  const apply = useCallback(
    (form: string | null, list: FieldError[]) => {
      const mapped = mapFieldErrors(list, fields, labels);
      setState({ field: mapped.byField as Partial<Record<F, string>>, form, other: mapped.other });
    },
    [fields, labels],
  );

  const clear = useCallback(() => setState({ field: {}, form: null, other: [] }), []);
  const fromError = useCallback(
    (err: unknown) => apply(errorMessage(err), err instanceof ApiError ? err.fields : []),
    [apply],
  );
  const fromIssues = useCallback(
    (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
      apply('Please correct the highlighted fields.', issuesToFieldErrors(issues)),
    [apply],
  );
  return { ...state, clear, fromError, fromIssues };
}
