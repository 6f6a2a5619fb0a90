import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves dist/ itself; in development Vite forwards the API and the realtime endpoints
// to a server started separately on its default port.
const backend = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
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
