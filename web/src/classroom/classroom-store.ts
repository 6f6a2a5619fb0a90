import {
  defaultClassSettings,
  type ChatMessage,
  type ClassSettings,
  type JoinResult,
  type PollInfo,
  type PollResults,
  type WaitingEntry,
} from '@educloud/protocol';
import type { SignalingClient } from '../live/signaling-client.js';
import { noticeText, type Notice } from './notices.js';

export interface ClassroomSnapshot {
  chat: ChatMessage[];
  /** Messages from others that arrived while the chat panel was closed. */
  unread: number;
  settings: ClassSettings;
  /** Newest first. */
  polls: PollInfo[];
  results: Record<string, PollResults>;
  /** Teachers only: who waits to be admitted. */
  waiting: WaitingEntry[];
  notices: Notice[];
}

const CHAT_KEPT = 500;

/**
 * The classroom around the media: chat, polls, class settings, the waiting list and the
 * notices shown to this user. Filled from each class:join result and kept current by the
 * server's events; the components read it through subscribe()/snapshot().
 */
export class ClassroomStore {
  private readonly listeners = new Set<() => void>();
  private chatOpen = false;
  private myUserId: string | null = null;
  private nextNotice = 1;
  private state: ClassroomSnapshot = {
    chat: [],
    unread: 0,
    settings: defaultClassSettings,
    polls: [],
    results: {},
    waiting: [],
    notices: [],
  };

  constructor(private readonly signaling: SignalingClient) {}

  snapshot = (): ClassroomSnapshot => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Registers the server's classroom events; called once, before the socket connects. */
  listen(isStudent: () => boolean): void {
    const s = this.signaling;
    s.on('chat:message', (m) => {
      const fromOther = m.senderId !== this.myUserId;
      this.set({
        chat: [...this.state.chat, m].slice(-CHAT_KEPT),
        unread: this.state.unread + (fromOther && !this.chatOpen ? 1 : 0),
      });
    });
    s.on('chat:deleted', ({ messageId }) =>
      this.set({ chat: this.state.chat.filter((m) => m.id !== messageId) }),
    );
    s.on('class:settings', (settings) => {
      if (isStudent() && this.state.settings.chatEnabled && !settings.chatEnabled) {
        this.notify({ kind: 'chatDisabled', by: '' });
      }
      this.set({ settings });
    });
    s.on('poll:opened', (poll) => this.upsertPoll(poll));
    s.on('poll:closed', (poll) => this.upsertPoll(poll));
    s.on('poll:results', (r) => this.set({ results: { ...this.state.results, [r.pollId]: r } }));
    s.on('waiting:updated', ({ waiting }) => this.set({ waiting }));
    s.on('moderation:notice', (n) => this.notify(n));
  }

  /** Each (re)join brings the current classroom: history, settings, polls, waiting list. */
  joined(result: JoinResult): void {
    const results: Record<string, PollResults> = {};
    for (const r of result.pollResults) results[r.pollId] = r;
    this.set({
      chat: result.chat,
      settings: result.settings,
      polls: [...result.polls].reverse(),
      results,
      waiting: result.waiting,
    });
  }

  /** Our own user id: our messages never count as unread. */
  setViewer(userId: string | null): void {
    this.myUserId = userId;
  }

  setChatOpen(open: boolean): void {
    this.chatOpen = open;
    if (open && this.state.unread > 0) this.set({ unread: 0 });
  }

  /** A notice raised here rather than by the server (a refused unmute, say). */
  notify(n: Parameters<typeof noticeText>[0]): void {
    const notice: Notice = { id: this.nextNotice++, kind: n.kind, text: noticeText(n) };
    this.set({ notices: [...this.state.notices, notice].slice(-5) });
  }

  dismissNotice(id: number): void {
    this.set({ notices: this.state.notices.filter((n) => n.id !== id) });
  }

  /** Our vote is kept on the poll so the form shows it after a reconnect. */
  voted(pollId: string, choices: number[]): void {
    this.set({
      polls: this.state.polls.map((p) => (p.id === pollId ? { ...p, myChoices: choices } : p)),
    });
  }

  private upsertPoll(poll: PollInfo): void {
    const old = this.state.polls.find((p) => p.id === poll.id);
    const merged = old?.myChoices && !poll.myChoices ? { ...poll, myChoices: old.myChoices } : poll;
    this.set({
      polls: old
        ? this.state.polls.map((p) => (p.id === poll.id ? merged : p))
        : [merged, ...this.state.polls],
    });
  }

  private set(patch: Partial<ClassroomSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}
