import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The board's code (tldraw, ~1.5 MB) is a lazy chunk, evaluated only where a board opens; but
 * on a class page it is on the critical path of the board opening, so every page announces it
 * with <link rel="modulepreload">: fetched and compiled at once, in parallel with the app's
 * own code, and not evaluated until a class page imports it. (The server's CSP allows no
 * inline script that could add the links on class pages only.)
 */
function preloadBoardCode(entry: RegExp): Plugin {
  return {
    name: 'educloud-preload-board-code',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const board = chunks.find((c) => c.facadeModuleId && entry.test(c.facadeModuleId));
        if (!board) throw new Error(`no chunk for ${entry}: the board's code would not preload`);
        // The chunk and everything it imports statically, however deep.
        const byName = new Map(chunks.map((c) => [c.fileName, c]));
        const needed = new Set<string>();
        const visit = (f: string) => {
          if (needed.has(f)) return;
          needed.add(f);
          for (const i of byName.get(f)?.imports ?? []) visit(i);
        };
        visit(board.fileName);
        const files = [...needed].filter((f) => !html.includes(`/${f}"`));
        return files.map((f) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: true, href: `/${f}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

// The server serves dist/ itself; in development Vite forwards the API and the realtime endpoints
// to a server started separately on its default port.
const backend = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react(), preloadBoardCode(/[\\/]collab[\\/]class-collab-panel\.tsx$/)],
  // 'source' makes @educloud/protocol resolve to its TypeScript, so the web build does not
  // depend on the protocol's tsc output.
  // The install holds two copies of @tiptap/core and @tiptap/pm (3.31.3 and a hoisted 3.34.0);
  // TipTap's extensions must share one.
  resolve: { conditions: ['source'], dedupe: ['@tiptap/core', '@tiptap/pm'] },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
      '/collab': { target: backend, ws: true },
      '/hls': backend,
    },
  },
  build: {
    // tldraw fetches its translations and icons by URL: inlined as data: URLs they would be
    // blocked by the server's CSP (connect-src 'self').
    assetsInlineLimit: (file) => (/[\\/]@tldraw[\\/]assets[\\/]/.test(file) ? false : undefined),
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change far less often than the app: separate chunks stay cached across deploys.
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/,
            },
            {
              name: 'mui',
              test: /node_modules[\\/](@mui|@emotion|@popperjs|stylis|react-transition-group)/,
            },
            { name: 'zod', test: /node_modules[\\/]zod[\\/]/ },
          ],
        },
      },
    },
  },
});
