import type { MediaSource, ModerationNotice, PeerInfo } from '@educloud/protocol';
import { AckError } from './ack-error.js';
import type { ClassDeps, Handlers, SocketSession } from './live-handler.js';
import { teachersChannel, type LiveRoom } from './live-room.js';

type ModerationEvent =
  | 'moderation:mute'
  | 'moderation:muteAll'
  | 'moderation:allowUnmute'
  | 'moderation:askUnmute'
  | 'moderation:stopCamera'
  | 'moderation:kick'
  | 'moderation:setRole';

/** Teachers run the room; every action here holds on the server, not just in the UI. */
export function moderationHandlers(d: ClassDeps): Handlers<ModerationEvent> {
  const notify = (room: LiveRoom, peerId: string, kind: ModerationNotice['kind'], by: string) =>
    room.socketOf(peerId)?.emit('moderation:notice', { kind, by });

  const student = (room: LiveRoom, peerId: string): PeerInfo => {
    const peer = room.peer(peerId);
    if (!peer) throw new AckError('not_found', 'No such participant');
    if (peer.role === 'teacher') {
      throw new AckError('forbidden', 'Teachers cannot be moderated; change their role first');
    }
    return peer;
  };

  /** Pauses the student's microphone and keeps it paused until a teacher lifts the mute. */
  const forceMute = async (room: LiveRoom, peer: PeerInfo) => {
    await d.mutes.set(room.classId, peer.userId, true);
    for (const p of room.producersOf(peer.peerId)) {
      if (p.source !== 'mic' || p.paused) continue;
      await room.mediaFor(peer.peerId).setProducerPaused(peer.peerId, p.producerId, true);
      room.setProducerPaused(p.producerId, true);
    }
    room.updatePeer(peer.peerId, { forcedMute: true });
  };

  const liftMute = async (
    session: SocketSession,
    peerId: string,
    kind: 'unmuteAllowed' | 'unmuteRequested',
  ) => {
    const { room } = await d.guards.asTeacher(session);
    const peer = student(room, peerId);
    await d.mutes.set(room.classId, peer.userId, false);
    room.updatePeer(peer.peerId, { forcedMute: false });
    notify(room, peer.peerId, kind, session.principal.name);
    return null;
  };

  return {
    'moderation:mute': async (_s, session, { peerId }) => {
      const { room } = await d.guards.asTeacher(session);
      await forceMute(room, student(room, peerId));
      notify(room, peerId, 'muted', session.principal.name);
      return null;
    },
    'moderation:muteAll': async (_s, session) => {
      const { room } = await d.guards.asTeacher(session);
      for (const peer of room.allPeers()) {
        if (peer.role === 'teacher') continue;
        await forceMute(room, peer);
        notify(room, peer.peerId, 'mutedAll', session.principal.name);
      }
      return null;
    },
    'moderation:allowUnmute': (_s, session, { peerId }) =>
      liftMute(session, peerId, 'unmuteAllowed'),
    'moderation:askUnmute': (_s, session, { peerId }) =>
      liftMute(session, peerId, 'unmuteRequested'),
    'moderation:stopCamera': async (_s, session, { peerId }) => {
      const { room } = await d.guards.asTeacher(session);
      student(room, peerId);
      for (const p of room.producersOf(peerId)) {
        if (p.source !== 'camera') continue;
        await room.mediaFor(peerId).closeProducer(peerId, p.producerId);
        room.producerClosed(p.producerId);
      }
      notify(room, peerId, 'cameraStopped', session.principal.name);
      return null;
    },
    'moderation:kick': async (_s, session, { peerId: target }) => {
      const { room, peerId, classId } = await d.guards.asTeacher(session);
      if (target === peerId) throw new AckError('conflict', 'You cannot remove yourself');
      const info = student(room, target);
      // Recorded before the socket goes, so an instant rejoin is already refused.
      await d.removals.add(classId, info.userId, session.principal.userId);
      // A guest's token only opens this class: without the membership it opens nothing.
      if (info.userId !== 'server') await d.classes.dropGuestMembership(classId, info.userId);
      d.hands.set(classId, info.userId, false);
      const socket = room.socketOf(target);
      socket?.emit('kicked');
      room.remove(target, 'kicked');
      socket?.disconnect(true);
      return null;
    },
    'moderation:setRole': async (_s, session, { userId, role }) => {
      const { room, classId } = await d.guards.asTeacher(session);
      await d.classes.setMemberRole(classId, userId, role);
      if (role === 'teacher') await d.mutes.set(classId, userId, false);
      for (const peer of room.allPeers().filter((p) => p.userId === userId)) {
        const socket = room.socketOf(peer.peerId);
        const theirs = socket?.data.session as SocketSession | undefined;
        if (theirs) theirs.role = role;
        if (role === 'teacher') {
          void socket?.join(teachersChannel(classId));
        } else {
          void socket?.leave(teachersChannel(classId));
        }
        room.updatePeer(peer.peerId, {
          role,
          forcedMute: role === 'teacher' ? false : peer.forcedMute,
        });
        notify(room, peer.peerId, 'roleChanged', session.principal.name);
      }
      return null;
    },
  };
}

/**
 * What a participant may publish: students share their screen only when the teachers allow
 * it, and one producer per source each.
 */
export async function checkProduce(
  d: ClassDeps,
  room: LiveRoom,
  session: SocketSession,
  peerId: string,
  source: MediaSource,
): Promise<void> {
  if (room.producersOf(peerId).some((p) => p.source === source)) {
    throw new AckError('limit_exceeded', `You already publish a ${source}; close it first`);
  }
  if (session.role === 'teacher') return;
  if (
    (source === 'screen' || source === 'screenAudio') &&
    !(await d.settings.get(room.classId)).studentsMayShareScreen
  ) {
    throw new AckError('forbidden', 'The teacher has not allowed students to share their screen');
  }
}

/** A muted student's microphone starts paused. */
export async function startsPaused(
  d: ClassDeps,
  room: LiveRoom,
  session: SocketSession,
  source: MediaSource,
): Promise<boolean> {
  if (source !== 'mic' || session.role === 'teacher') return false;
  return d.mutes.has(room.classId, session.principal.userId);
}

/** A student a teacher muted may not resume their microphone (unless students may unmute). */
export async function checkResume(
  d: ClassDeps,
  room: LiveRoom,
  session: SocketSession,
  producerId: string,
): Promise<void> {
  const p = room.producer(producerId);
  if (!p || p.source !== 'mic' || session.role === 'teacher') return;
  const userId = session.principal.userId;
  if (!(await d.mutes.has(room.classId, userId))) return;
  if ((await d.settings.get(room.classId)).studentsMayUnmute) {
    await d.mutes.set(room.classId, userId, false);
    room.updatePeer(p.peerId, { forcedMute: false });
    return;
  }
  throw new AckError('forbidden', 'The teacher muted you; ask to speak');
}
