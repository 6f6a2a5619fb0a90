import type { Page } from 'playwright-core';

/** One live-class event a page sent over Socket.IO, with the server's ack when it came. */
export interface SentEvent {
  /** Which WebSocket of the page carried it (0 = the first one opened). */
  connection: number;
  /** The Socket.IO socket id of that connection. */
  socketId: string | undefined;
  event: string;
  payload: unknown;
  ack: unknown;
  /** When it was sent and answered (Date.now() in the test process). */
  sentAt: number;
  ackedAt: number | undefined;
}

/** One event the server pushed to a page (not an ack), when it came. */
export interface PushedEvent {
  connection: number;
  event: string;
  payload: unknown;
  /** Date.now() in the test process. */
  at: number;
}

/**
 * Watches a page's Socket.IO WebSockets from outside (the frames Chromium sends and receives),
 * so a test can see reconnects (a new connection, a new socket id) and what was asked and
 * answered on each, without reaching into the client's code.
 */
export function watchSocketIo(page: Page): {
  events(): SentEvent[];
  pushes(): PushedEvent[];
  socketIds(): string[];
} {
  const sent: (SentEvent & { ackId: string | undefined })[] = [];
  const pushed: PushedEvent[] = [];
  const ids: (string | undefined)[] = [];
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/socket.io/')) return;
    const connection = ids.push(undefined) - 1;
    ws.on('framereceived', ({ payload }) => {
      const text = String(payload);
      // "40{sid}": the Socket.IO connect answer names the socket.
      const connect = /^40(\{.*\})$/.exec(text);
      if (connect) ids[connection] = (JSON.parse(connect[1]!) as { sid: string }).sid;
      const push = /^42(\[.*\])$/.exec(text);
      if (push) {
        const [event, payload] = JSON.parse(push[1]!) as [string, unknown];
        pushed.push({ connection, event, payload, at: Date.now() });
      }
      const ack = /^43(\d+)(\[.*\])$/.exec(text);
      if (ack) {
        const e = sent.find((s) => s.connection === connection && s.ackId === ack[1]);
        if (e) {
          e.ack = (JSON.parse(ack[2]!) as unknown[])[0];
          e.ackedAt = Date.now();
        }
      }
    });
    ws.on('framesent', ({ payload }) => {
      const m = /^42(\d*)(\[.*\])$/.exec(String(payload));
      if (!m) return;
      const [event, body] = JSON.parse(m[2]!) as [string, unknown];
      sent.push({
        connection,
        socketId: ids[connection],
        event,
        payload: body,
        ack: undefined,
        sentAt: Date.now(),
        ackedAt: undefined,
        ackId: m[1] || undefined,
      });
    });
  });
  return {
    events: () => sent.map(({ ackId: _, ...e }) => e),
    pushes: () => [...pushed],
    socketIds: () => ids.filter((id): id is string => id !== undefined),
  };
}
