import { chatLimits } from '@educloud/protocol';
import type { ClassDeps, SocketSession } from './live-handler.js';
import type { LiveRoom } from './live-room.js';

/** What `class:join` adds to the room's answer: chat, settings, polls, the waiting list. */
export async function classActivity(
  d: ClassDeps,
  room: LiveRoom,
  peerId: string,
  session: SocketSession,
) {
  const { classId } = room;
  const role = session.role ?? 'student';
  const viewer = { userId: session.principal.userId, role };
  // Hands and forced mutes belong to the person, so they survive a reconnect or a new tab.
  const raisedAt = d.hands.raisedAt(classId, viewer.userId);
  const forcedMute = role === 'student' && (await d.mutes.has(classId, viewer.userId));
  const peer = room.peer(peerId);
  if (peer && (peer.handRaisedAt !== raisedAt || peer.forcedMute !== forcedMute)) {
    room.updatePeer(peerId, { handRaised: raisedAt !== null, handRaisedAt: raisedAt, forcedMute });
  }
  const polls = await d.polls.list(classId, viewer, true);
  return {
    chat: await d.chat.history(classId, viewer, { limit: chatLimits.historyOnJoin }),
    settings: await d.settings.get(classId),
    polls: polls.map((p) => p.poll),
    pollResults: polls.flatMap((p) => (p.results ? [p.results] : [])),
    waiting: role === 'teacher' ? d.waiting.list(classId) : [],
  };
}

/** The teacher ended the class: removals, hands, mutes and the waiting list start afresh. */
export async function endClassSession(d: ClassDeps, classId: string): Promise<void> {
  await d.removals.clear(classId);
  d.hands.forget(classId);
  await d.mutes.forget(classId);
  d.waiting.forget(classId);
  d.chat.forget(classId);
  await d.stage.forget(classId);
}
