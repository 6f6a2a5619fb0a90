import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// The built web client is served to the page from memory under this made-up origin: the page
// reaches nothing else (no server port, no session, no network).
const ORIGIN = 'http://board-render.invalid';
const PAGE = `${ORIGIN}/board-render`;
// Headless, nothing that phones home; no camera or microphone is ever asked for.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};
const READY_TIMEOUT_MS = 30_000;
const PICTURE_TIMEOUT_MS = 30_000;

export interface BoardPictureRequest {
  records: Record<string, unknown>[];
  pageId?: string;
  width: number;
  height: number;
}

/**
 * The whiteboard drawn by tldraw itself: one headless Chromium page on the web client's
 * /board-render, handed the board's records and returning a PNG of the page. Used by the MP4
 * export only, one picture at a time.
 */
export class BoardRenderer {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  /** Throws with a message fit for the export's status when Chromium or the client is missing. */
  static async open(o: { chromiumPath: string; webRoot: string }): Promise<BoardRenderer> {
    const found = await stat(o.chromiumPath).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!found) throw new Error(`Chromium was not found at ${o.chromiumPath}`);
    const index = join(o.webRoot, 'index.html');
    const indexHtml = await readFile(index).catch(() => {
      throw new Error(`the web client is not built (${index} is missing)`);
    });
    const browser = await chromium.launch({ executablePath: o.chromiumPath, args: FLAGS });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      await context.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        if (url.origin !== ORIGIN) return route.abort();
        const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
        const file = join(o.webRoot, path);
        const body = file.startsWith(o.webRoot) ? await readFile(file).catch(() => null) : null;
        // Any other path is the single-page app's.
        if (!body) return route.fulfill({ contentType: 'text/html', body: indexHtml });
        return route.fulfill({
          contentType: TYPES[extname(file)] ?? 'application/octet-stream',
          body,
        });
      });
      const page = await context.newPage();
      await page.goto(PAGE, { timeout: READY_TIMEOUT_MS });
      await page.waitForFunction(
        () =>
          typeof (globalThis as { educloudBoardRender?: unknown }).educloudBoardRender ===
          'function',
        undefined,
        { timeout: READY_TIMEOUT_MS },
      );
      return new BoardRenderer(browser, page);
    } catch (err) {
      await browser.close().catch(() => {});
      throw err;
    }
  }

  /** The board's page as a PNG of exactly width × height. */
  async picture(req: BoardPictureRequest): Promise<Buffer> {
    const url = await withTimeout(
      this.page.evaluate(
        (r) =>
          (
            globalThis as unknown as {
              educloudBoardRender: (x: typeof r) => Promise<string>;
            }
          ).educloudBoardRender(r),
        req,
      ),
      PICTURE_TIMEOUT_MS,
    );
    const m = /^data:image\/png;base64,(.*)$/.exec(url);
    if (!m) throw new Error('the board page returned no picture');
    return Buffer.from(m[1]!, 'base64');
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the board took over ${ms} ms to draw`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
