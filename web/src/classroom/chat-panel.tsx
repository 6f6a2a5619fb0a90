import SendIcon from '@mui/icons-material/Send';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { chatLimits, type ChatRecipient } from '@educloud/protocol';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { LiveSession } from '../live/live-session.js';
import { ChatMessageItem } from './chat-message-item.js';
import type { ClassroomSnapshot } from './classroom-store.js';

/**
 * The class chat: history, a box to write to everyone or to the teachers only, and (teachers)
 * deleting a message for everyone. New messages are announced by the sidebar's live region.
 */
export function ChatPanel({
  session,
  classroom,
  isTeacher,
  myUserId,
}: {
  session: LiveSession;
  classroom: ClassroomSnapshot;
  isTeacher: boolean;
  myUserId: string | null;
}) {
  const chatOff = !isTeacher && !classroom.settings.chatEnabled;
  const [text, setText] = useState('');
  const [to, setTo] = useState<ChatRecipient>('everyone');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const listEnd = useRef<HTMLDivElement>(null);
  const recipient: ChatRecipient = chatOff ? 'teachers' : to;

  useEffect(() => {
    listEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [classroom.chat.length]);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body || sending) return;
    setSending(true);
    setError(null);
    try {
      await session.signaling.request('chat:send', { text: body, to: recipient });
      setText('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSending(false);
    }
  };

  const remove = (messageId: string) => {
    session.signaling.request('chat:delete', { messageId }).catch((err: Error) => {
      setError(err.message);
    });
  };

  return (
    <Stack spacing={1} sx={{ height: '100%', minHeight: 0 }} data-testid="chat-panel">
      {chatOff && (
        <Alert severity="info" data-testid="chat-off">
          The teacher turned the chat off. You can still write to the teachers.
        </Alert>
      )}
      <Box sx={{ flex: 1, overflowY: 'auto', minHeight: 160, maxHeight: 420 }}>
        {classroom.chat.length === 0 ? (
          <Typography variant="body2" color="text.secondary" sx={{ p: 1 }}>
            No messages yet.
          </Typography>
        ) : (
          <Box component="ul" aria-label="Chat messages" sx={{ m: 0, p: 0 }}>
            {classroom.chat.map((m) => (
              <ChatMessageItem
                key={m.id}
                message={m}
                mine={m.senderId === myUserId}
                {...(isTeacher ? { onDelete: () => remove(m.id) } : {})}
              />
            ))}
          </Box>
        )}
        <div ref={listEnd} />
      </Box>
      {error && (
        <Alert severity="warning" onClose={() => setError(null)} data-testid="chat-error">
          {error}
        </Alert>
      )}
      <Box component="form" onSubmit={(e) => void send(e)} sx={{ display: 'flex', gap: 1 }}>
        <Stack spacing={1} sx={{ flex: 1 }}>
          <TextField
            select
            size="small"
            label="To"
            value={recipient}
            disabled={chatOff}
            onChange={(e) => setTo(e.target.value as ChatRecipient)}
            slotProps={{ htmlInput: { 'data-testid': 'chat-to' } }}
          >
            <MenuItem value="everyone">Everyone</MenuItem>
            <MenuItem value="teachers">Teachers only</MenuItem>
          </TextField>
          <TextField
            size="small"
            label="Message"
            multiline
            maxRows={4}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) void send(e);
            }}
            slotProps={{
              htmlInput: { maxLength: chatLimits.maxLength, 'data-testid': 'chat-input' },
            }}
          />
        </Stack>
        <IconButton
          type="submit"
          color="primary"
          aria-label="Send message"
          data-testid="chat-send"
          disabled={!text.trim() || sending}
          sx={{ alignSelf: 'flex-end' }}
        >
          <SendIcon />
        </IconButton>
      </Box>
    </Stack>
  );
}
