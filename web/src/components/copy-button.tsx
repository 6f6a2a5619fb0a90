import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import { copyText } from '../lib/clipboard.js';
import { useNotify } from './notify-context.js';

interface CopyButtonProps {
  text: string | null | undefined;
  /** Accessible name, e.g. "Copy invite link". */
  label: string;
  testId?: string;
  /** A text button instead of an icon. */
  withText?: string;
}

export function CopyButton({ text, label, testId, withText }: CopyButtonProps) {
  const notify = useNotify();
  const onClick = async () => {
    if (!text) return;
    try {
      await copyText(text);
      notify('Copied');
    } catch {
      notify('Could not copy: select the text and copy it by hand', 'error');
    }
  };
  if (withText) {
    return (
      <Button
        onClick={onClick}
        disabled={!text}
        startIcon={<ContentCopyIcon />}
        aria-label={label}
        data-testid={testId}
        variant="outlined"
      >
        {withText}
      </Button>
    );
  }
  return (
    <Tooltip title={label}>
      <span>
        <IconButton onClick={onClick} disabled={!text} aria-label={label} data-testid={testId}>
          <ContentCopyIcon fontSize="small" />
        </IconButton>
      </span>
    </Tooltip>
  );
}
