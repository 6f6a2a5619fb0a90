import { describe, expect, it } from 'vitest';
import { splitLinks } from './chat-links.js';

describe('splitLinks', () => {
  it('keeps plain text as one text part', () => {
    expect(splitLinks('no links <b>here</b>')).toEqual([
      { kind: 'text', text: 'no links <b>here</b>' },
    ]);
  });

  it('turns http(s) and www. addresses into links, leaving sentence punctuation out', () => {
    expect(splitLinks('see https://example.org/a?b=1, or www.example.com.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: ', or ' },
      { kind: 'link', text: 'www.example.com', href: 'https://www.example.com/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never links other schemes', () => {
    const parts = splitLinks('javascript:alert(1) data:text/html,<script>x</script>');
    expect(parts.every((p) => p.kind === 'text')).toBe(true);
  });
});
