import Alert from '@mui/material/Alert';
import type { FieldError } from '@educloud/protocol';

/** The form-level message, plus field errors that have no input of their own. */
export function FormErrorSummary({
  message,
  other,
}: {
  message: string | null;
  other: FieldError[];
}) {
  if (!message) return null;
  return (
    <Alert severity="error" data-testid="form-error" role="alert">
      {message}
      {other.length > 0 && (
        <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
          {other.map((f) => (
            <li key={`${f.path}:${f.message}`}>{f.path ? `${f.path}: ${f.message}` : f.message}</li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
