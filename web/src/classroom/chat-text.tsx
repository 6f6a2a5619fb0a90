import Link from '@mui/material/Link';
import { splitLinks } from './chat-links.js';

/** A chat message's text: plain text nodes (never HTML), with http(s) links clickable. */
export function ChatText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.kind === 'link' ? (
          <Link key={i} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </Link>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}
