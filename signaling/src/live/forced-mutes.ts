/**
 * Students a teacher muted, per class and by user (so a reconnect does not lift it). The
 * server refuses to resume their microphone until a teacher allows it.
 */
export class ForcedMutes {
  private readonly muted = new Map<string, Set<string>>();

  has(classId: string, userId: string): boolean {
    return this.muted.get(classId)?.has(userId) ?? false;
  }

  set(classId: string, userId: string, muted: boolean): void {
    let users = this.muted.get(classId);
    if (!muted) {
      users?.delete(userId);
      return;
    }
    if (!users) this.muted.set(classId, (users = new Set()));
    users.add(userId);
  }

  forget(classId: string): void {
    this.muted.delete(classId);
  }
}
