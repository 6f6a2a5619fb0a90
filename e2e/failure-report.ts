/**
 * What the browser contexts and test servers of an e2e file did, kept so that a failed test can
 * print it (e2e/failure-report.setup.ts): a browser test that fails in CI and passes locally
 * must be diagnosable from the CI log alone. Every context made by `newContext` (browser.ts)
 * and every server started by `startServer` (harness.ts) is traced; the module's state is per
 * test file (vitest isolates files), which is the scope of those contexts and servers.
 */
import type { BrowserContext, ConsoleMessage, Page, Request } from 'playwright-core';

/** Events kept per context: enough for a test's story, bounded for a long file's memory. */
const MAX_EVENTS = 1000;
/** Events shown per context in one report: the last ones are the ones near the failure. */
const SHOWN_EVENTS = 150;
/** How much of an open page's visible text a report shows. */
const PAGE_TEXT_CHARS = 800;
/** A page that does not answer in this time is reported as such (a hung page is a finding). */
const PAGE_PROBE_MS = 2000;
/** Long lines (minified stacks, data: URLs) are cut so that one event cannot flood the log. */
const LINE_CHARS = 500;

interface TraceEvent {
  at: number;
  text: string;
}

interface ContextTrace {
  label: string;
  who?: string;
  createdAt: number;
  closedAt?: number;
  events: TraceEvent[];
  dropped: number;
  pages: { label: string; page: Page }[];
  pending: Map<Request, { at: number; page: string }>;
}

interface ServerTrace {
  label: string;
  createdAt: number;
  closedAt?: number;
  output: (since: number) => string;
}

const contexts = new Map<BrowserContext, ContextTrace>();
const servers: ServerTrace[] = [];

/**
 * A line as a report shows it: tokens in query strings (the collab WebSocket carries the access
 * token) are left out, being long and of no use in a CI log, and long lines are cut.
 */
function cut(line: string): string {
  const s = line.replace(/([?&](?:token|access_token)=)[^&\s'"]+/g, '$1…');
  return s.length > LINE_CHARS ? `${s.slice(0, LINE_CHARS)}… (cut)` : s;
}

function record(trace: ContextTrace, text: string) {
  trace.events.push({ at: Date.now(), text: cut(text) });
  if (trace.events.length > MAX_EVENTS) {
    trace.events.shift();
    trace.dropped++;
  }
}

/** Starts tracing a context: its pages' console, errors, navigations and its requests. */
export function traceContext(context: BrowserContext): void {
  const trace: ContextTrace = {
    label: `context ${contexts.size + 1}`,
    createdAt: Date.now(),
    events: [],
    dropped: 0,
    pages: [],
    pending: new Map(),
  };
  contexts.set(context, trace);
  const pageLabel = (page: Page | null) =>
    trace.pages.find((p) => p.page === page)?.label ?? 'no page';

  context.on('page', (page) => {
    const label = `page ${trace.pages.length + 1}`;
    trace.pages.push({ label, page });
    page.on('console', (msg: ConsoleMessage) => {
      const type = msg.type();
      if (type !== 'error' && type !== 'warning') return;
      const where = msg.location();
      const at = where.url ? ` (${where.url}:${where.lineNumber})` : '';
      record(trace, `${label} console.${type}: ${msg.text()}${at}`);
    });
    page.on('pageerror', (err) => record(trace, `${label} pageerror: ${err.stack ?? err.message}`));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) record(trace, `${label} navigated to ${frame.url()}`);
    });
    page.on('websocket', (ws) => {
      record(trace, `${label} websocket opened ${ws.url()}`);
      ws.on('socketerror', (error) =>
        record(trace, `${label} websocket error ${ws.url()}: ${error}`),
      );
      ws.on('close', () => record(trace, `${label} websocket closed ${ws.url()}`));
    });
    page.on('crash', () => record(trace, `${label} CRASHED`));
    page.on('close', () => record(trace, `${label} closed`));
  });
  context.on('request', (req) => {
    let page: Page | null = null;
    try {
      page = req.frame().page();
    } catch {
      // A service worker's request has no frame.
    }
    trace.pending.set(req, { at: Date.now(), page: pageLabel(page) });
  });
  context.on('requestfinished', (req) => trace.pending.delete(req));
  context.on('requestfailed', (req) => {
    const page = trace.pending.get(req)?.page ?? 'no page';
    trace.pending.delete(req);
    record(
      trace,
      `${page} request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`,
    );
  });
  context.on('response', (res) => {
    if (res.status() < 400) return;
    const req = res.request();
    const page = trace.pending.get(req)?.page ?? 'no page';
    record(trace, `${page} HTTP ${res.status()} ${req.method()} ${res.url()}`);
  });
  context.on('close', () => {
    trace.closedAt = Date.now();
    trace.pending.clear();
  });
}

/** Names whose context this is (the user it logged in as), for the report's headings. */
export function nameTracedContext(context: BrowserContext, who: string): void {
  const trace = contexts.get(context);
  if (trace) trace.who = who;
}

/**
 * Adds a test server to the report: `output(since)` gives the tail of what it printed from
 * `since` on. Returns what to call once the server is closed for good.
 */
export function traceServer(label: string, output: (since: number) => string): () => void {
  const trace: ServerTrace = { label, createdAt: Date.now(), output };
  servers.push(trace);
  return () => (trace.closedAt = Date.now());
}

/** Seconds from `start`, signed: events before the test (its hooks, earlier tests) are negative. */
const clock = (at: number, start: number) => {
  const s = (at - start) / 1000;
  return `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(3)} s`;
};

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Where an open page is and what it shows, asked of the page itself. */
async function describePage(label: string, page: Page): Promise<string[]> {
  if (page.isClosed()) return [`  ${label}: closed`];
  const lines = [`  ${label}: ${page.url()}`];
  try {
    const text = await withTimeout(
      page.evaluate(() => document.body?.innerText ?? '(no body)'),
      PAGE_PROBE_MS,
    );
    if (text === 'timeout') lines.push(`    (the page did not answer in ${PAGE_PROBE_MS} ms)`);
    else {
      const flat = text.replace(/\s+/g, ' ').trim();
      const shown = flat.length > PAGE_TEXT_CHARS ? `${flat.slice(0, PAGE_TEXT_CHARS)}…` : flat;
      lines.push(`    visible text: ${JSON.stringify(shown)}`);
    }
  } catch (err) {
    lines.push(`    (could not read the page: ${(err as Error).message.split('\n')[0]})`);
  }
  return lines;
}

async function renderContext(trace: ContextTrace, since: number, start: number, now: number) {
  const heading = `${trace.label}${trace.who ? ` (${trace.who})` : ''}`;
  const lines = [
    `── ${heading}, created ${clock(trace.createdAt, start)}` +
      `${trace.closedAt ? `, closed ${clock(trace.closedAt, start)}` : ''} ──`,
  ];
  if (!trace.closedAt) {
    lines.push('pages now:');
    if (!trace.pages.length) lines.push('  (none)');
    for (const { label, page } of trace.pages) lines.push(...(await describePage(label, page)));
  }
  const recent = trace.events.filter((e) => e.at >= since);
  const shown = recent.slice(-SHOWN_EVENTS);
  const earlier = trace.dropped + trace.events.length - shown.length;
  lines.push(
    `events (console errors and warnings, page errors, navigations, websockets, failed ` +
      `requests, HTTP >= 400)${earlier ? `; ${earlier} earlier not shown` : ''}:`,
  );
  if (!shown.length) lines.push('  (none)');
  for (const e of shown) lines.push(`  ${clock(e.at, start)} ${e.text}`);
  if (!trace.closedAt) {
    const pending = [...trace.pending].sort((a, b) => a[1].at - b[1].at);
    lines.push(`requests still pending (${pending.length}):`);
    for (const [req, { at, page }] of pending.slice(0, 30))
      lines.push(
        `  ${page} ${req.method()} ${cut(req.url())}, for ${((now - at) / 1000).toFixed(1)} s`,
      );
    if (pending.length > 30) lines.push(`  … and ${pending.length - 30} more`);
  }
  return lines;
}

/**
 * The report of everything traced that was alive during [since, now]: each context's open pages
 * (address, visible text), its events from `since` on, its pending requests, then each server's
 * output tail. Times are relative to `start`, when the failed attempt began.
 */
export async function renderFailureReport(since: number, start: number): Promise<string> {
  const now = Date.now();
  const alive = (t: { createdAt: number; closedAt?: number }) =>
    t.closedAt === undefined || t.closedAt >= since;
  const lines: string[] = [];
  const traced = [...contexts.values()].filter(alive);
  if (!traced.length) lines.push('(no browser context traced)');
  for (const trace of traced) lines.push(...(await renderContext(trace, since, start, now)));
  const running = servers.filter(alive);
  if (!running.length) lines.push('(no test server traced)');
  for (const server of running) {
    lines.push(
      `── server ${server.label}, started ${clock(server.createdAt, start)}` +
        `${server.closedAt ? `, closed ${clock(server.closedAt, start)}` : ''}: ` +
        `output since ${clock(since, start)} (its tail) ──`,
    );
    lines.push(server.output(since).trimEnd() || '(none)');
  }
  return lines.join('\n');
}
