import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A class's RTMP stream key is `<classId>_<mac>`, where mac = HMAC(server key, classId:salt).
 * Only the salt is stored: the database alone cannot produce a key, a teacher can still be
 * shown theirs again, and rotating the salt invalidates the old key at once.
 */
export class StreamKeys {
  constructor(private readonly key: Buffer) {}

  newSalt(): string {
    return randomBytes(16).toString('base64url');
  }

  keyFor(classId: string, salt: string): string {
    return `${classId}_${this.mac(classId, salt).toString('base64url')}`;
  }

  /** The class id a key claims to belong to, before it is verified. */
  claimedClassId(streamKey: string): string | null {
    // Class ids are UUIDs (no '_'), while the base64url MAC may contain '_'.
    const at = streamKey.indexOf('_');
    if (at <= 0 || streamKey.length > 200) return null;
    return streamKey.slice(0, at);
  }

  matches(streamKey: string, classId: string, salt: string): boolean {
    const presented = Buffer.from(streamKey.slice(classId.length + 1), 'base64url');
    const expected = this.mac(classId, salt);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  private mac(classId: string, salt: string): Buffer {
    return createHmac('sha256', this.key).update(`${classId}:${salt}`).digest();
  }
}
