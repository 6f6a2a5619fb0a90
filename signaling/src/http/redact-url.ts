/**
 * Request URLs carry secrets in their path or query: HLS grants (`/hls/<recording>/<grant>/…`),
 * invite codes (`/join/<code>`, `/api/invites/<code>/…`) and tokens in query strings. The access
 * log keeps the shape of the URL and drops those parts.
 */
const PATH_SECRETS: [RegExp, string][] = [
  [/^(\/hls\/[^/]+\/)(?!public\/)[^/?]+/, '$1<grant>'],
  [/^(\/join\/)[^/?]+/, '$1<code>'],
  [/^(\/api\/invites\/)[^/?]+/, '$1<code>'],
];

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  for (const [pattern, replacement] of PATH_SECRETS) path = path.replace(pattern, replacement);
  if (q === -1) return path;
  // Query values can be anything a client sent (tokens for WebSocket fallbacks, codes): keep
  // only the names.
  const names = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((kv) => `${kv.split('=')[0]}=<redacted>`);
  return `${path}?${names.join('&')}`;
}
