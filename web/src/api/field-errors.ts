import type { FieldError } from '@educloud/protocol';

/** Validation messages keyed by form field, plus those that belong to no field of the form. */
export interface FieldErrorMap {
  byField: Record<string, string>;
  other: FieldError[];
}

/**
 * Attaches field errors (from the server or from a local zod check) to the form's fields.
 * The field is the last segment of the path, so `body.title` and `title` both land on `title`.
 */
export function mapFieldErrors(
  fields: readonly FieldError[],
  known: readonly string[],
  labels: Readonly<Record<string, string>> = {},
): FieldErrorMap {
  const byField: Record<string, string> = {};
  const other: FieldError[] = [];
  for (const f of fields) {
    const key =
      f.path
        .split(/[.[\]/]/)
        .filter(Boolean)
        .pop() ?? '';
    if (known.includes(key)) {
      const message = humanize(f.message, labels);
      byField[key] = byField[key] ? `${byField[key]}; ${message}` : message;
    } else {
      other.push(f);
    }
  }
  return { byField, other };
}

/** Converts zod issues (local validation) into the server's field error shape. */
export function issuesToFieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldError[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Messages may name other fields by their API name ("must be after scheduledStart"). */
function humanize(message: string, labels: Readonly<Record<string, string>>): string {
  return message.replace(/\b[a-z][A-Za-z]*\b/g, (word) => labels[word] ?? word);
}
