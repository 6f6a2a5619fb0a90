import DeleteIcon from '@mui/icons-material/Delete';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { ChatMessage } from '@educloud/protocol';
import { ChatText } from './chat-text.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** One chat message: who, when, to whom, the text; teachers may delete it. */
export function ChatMessageItem({
  message,
  mine,
  onDelete,
}: {
  message: ChatMessage;
  mine: boolean;
  onDelete?: () => void;
}) {
  return (
    <Box
      component="li"
      data-testid="chat-message"
      data-message-id={message.id}
      sx={{ listStyle: 'none', py: 0.5, display: 'flex', gap: 1, alignItems: 'flex-start' }}
    >
      <Box sx={{ flex: 1, minWidth: 0 }}>
        <Box sx={{ display: 'flex', gap: 0.5, alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="subtitle2" component="span">
            {mine ? 'You' : message.senderName}
          </Typography>
          {message.role === 'teacher' && <Chip size="small" label="Teacher" />}
          {message.to === 'teachers' && (
            <Chip size="small" color="secondary" variant="outlined" label="To teachers" />
          )}
          <Typography variant="caption" color="text.secondary" component="span">
            {timeFormat.format(new Date(message.sentAt))}
          </Typography>
        </Box>
        <Typography
          variant="body2"
          data-testid="chat-text"
          sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
        >
          <ChatText text={message.text} />
        </Typography>
      </Box>
      {onDelete && (
        <Tooltip title="Delete for everyone">
          <IconButton
            size="small"
            aria-label={`Delete message from ${message.senderName}`}
            data-testid="chat-delete"
            onClick={onDelete}
          >
            <DeleteIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      )}
    </Box>
  );
}
