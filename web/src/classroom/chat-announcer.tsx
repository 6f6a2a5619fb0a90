import Box from '@mui/material/Box';
import type { ChatMessage } from '@educloud/protocol';
import { useEffect, useRef, useState } from 'react';

/**
 * A visually hidden polite live region: screen readers hear each new chat message from someone
 * else ("Ada: hello"), whichever panel is open, without interrupting what they were reading.
 */
export function ChatAnnouncer({
  chat,
  myUserId,
}: {
  chat: ChatMessage[];
  myUserId: string | null;
}) {
  const [text, setText] = useState('');
  const lastSeen = useRef<string | null>(chat.at(-1)?.id ?? null);
  useEffect(() => {
    const latest = chat.at(-1);
    if (!latest || latest.id === lastSeen.current) return;
    lastSeen.current = latest.id;
    if (latest.senderId !== myUserId) setText(`${latest.senderName}: ${latest.text}`);
  }, [chat, myUserId]);
  return (
    <Box
      aria-live="polite"
      data-testid="chat-announcer"
      sx={{
        position: 'absolute',
        width: 1,
        height: 1,
        overflow: 'hidden',
        clip: 'rect(0 0 0 0)',
        whiteSpace: 'nowrap',
      }}
    >
      {text}
    </Box>
  );
}
