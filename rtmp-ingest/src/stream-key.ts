import { createHash } from 'node:crypto';

/** Stream keys are secrets: logs carry a short fingerprint that support can match. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 10);
}

/** Strips stream keys out of RTMP URLs and stream paths in third-party log lines. */
export function redactKeys(text: string): string {
  return text.replace(/(\/live\/)[^\s/?'"]+/g, '$1<key>');
}
