export type ChatPart =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// http(s) links and bare www. names; trailing punctuation usually ends the sentence, not the URL.
const linkPattern = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const trailing = /[.,;:!?)\]}'"]+$/;

/**
 * Splits a chat message into plain text and links. Only http and https targets become links
 * (never javascript: or data:); the caller renders parts as text nodes, so nothing is HTML.
 */
export function splitLinks(text: string): ChatPart[] {
  const parts: ChatPart[] = [];
  let last = 0;
  for (const m of text.matchAll(linkPattern)) {
    let raw = m[0];
    const cut = trailing.exec(raw);
    if (cut) raw = raw.slice(0, raw.length - cut[0].length);
    const start = m.index;
    const href = /^https?:\/\//i.test(raw) ? raw : `https://${raw}`;
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: raw, href: url.href });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}
