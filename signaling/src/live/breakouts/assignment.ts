/** Where students go when breakouts open, and where a late joiner goes. Pure functions. */

/** Spreads the students evenly over the rooms in a random order (room sizes differ by ≤ 1). */
export function assignRandomly(
  userIds: readonly string[],
  roomIds: readonly string[],
  random: () => number = Math.random,
): Map<string, string> {
  const shuffled = [...userIds];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const placement = new Map<string, string>();
  shuffled.forEach((userId, i) => placement.set(userId, roomIds[i % roomIds.length]!));
  return placement;
}

/** The teacher's lists, room by room; only `members` are placed, each once (first list wins). */
export function assignManually(
  lists: readonly (readonly string[])[],
  roomIds: readonly string[],
  members: ReadonlySet<string>,
): Map<string, string> {
  const placement = new Map<string, string>();
  lists.forEach((list, i) => {
    const roomId = roomIds[i];
    if (!roomId) return;
    for (const userId of list) {
      if (members.has(userId) && !placement.has(userId)) placement.set(userId, roomId);
    }
  });
  return placement;
}

/** The room with the fewest students (the first of them on a tie): a random late joiner's. */
export function emptiestRoom(
  roomIds: readonly string[],
  placement: ReadonlyMap<string, string>,
): string {
  const sizes = new Map(roomIds.map((id) => [id, 0]));
  for (const roomId of placement.values()) {
    if (sizes.has(roomId)) sizes.set(roomId, sizes.get(roomId)! + 1);
  }
  let best = roomIds[0]!;
  for (const id of roomIds) if (sizes.get(id)! < sizes.get(best)!) best = id;
  return best;
}
