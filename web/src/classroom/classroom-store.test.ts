import type { ChatMessage, ServerEvents } from '@educloud/protocol';
import { describe, expect, it } from 'vitest';
import type { SignalingClient } from '../live/signaling-client.js';
import { ClassroomStore } from './classroom-store.js';

/** Only what the store uses: registering server-event listeners, which the test then fires. */
function fakeSignaling() {
  const handlers = new Map<string, (payload: unknown) => void>();
  const signaling = {
    on: (event: string, listener: (payload: unknown) => void) => handlers.set(event, listener),
  } as unknown as SignalingClient;
  const emit = <E extends keyof ServerEvents>(event: E, payload: Parameters<ServerEvents[E]>[0]) =>
    handlers.get(event)!(payload);
  return { signaling, emit };
}

const message = (id: string, senderId: string): ChatMessage => ({
  id,
  classId: 'c',
  senderId,
  senderName: senderId,
  role: 'student',
  text: `hello ${id}`,
  sentAt: new Date(0).toISOString(),
  to: 'everyone',
});

describe('ClassroomStore', () => {
  it("counts others' messages as unread while the chat is closed, never one's own", () => {
    const { signaling, emit } = fakeSignaling();
    const store = new ClassroomStore(signaling);
    store.setViewer('me');
    store.listen(() => true);
    emit('chat:message', message('1', 'ada'));
    emit('chat:message', message('2', 'me'));
    expect(store.snapshot().unread).toBe(1);
    store.setChatOpen(true);
    emit('chat:message', message('3', 'ada'));
    expect(store.snapshot().unread).toBe(0);
    store.setChatOpen(false);
    emit('chat:deleted', { messageId: '1' });
    expect(store.snapshot().chat.map((m) => m.id)).toEqual(['2', '3']);
  });

  it('tells a student when the teacher turns the chat off', () => {
    const { signaling, emit } = fakeSignaling();
    const store = new ClassroomStore(signaling);
    store.listen(() => true);
    const settings = { ...store.snapshot().settings, chatEnabled: false };
    emit('class:settings', settings);
    expect(store.snapshot().settings.chatEnabled).toBe(false);
    expect(store.snapshot().notices.map((n) => n.kind)).toEqual(['chatDisabled']);
  });
});
