import '@fontsource/roboto/300.css';
import '@fontsource/roboto/400.css';
import '@fontsource/roboto/500.css';
import '@fontsource/roboto/700.css';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { BrowserRouter } from 'react-router';
import { ApiClient } from './api/api-client.js';
import { SessionStore } from './api/session-store.js';
import { App } from './app.js';
import { SessionProvider } from './auth/session-provider.js';
import { NotifierProvider } from './components/notifier.js';
import { COLOR_MODE_STORAGE_KEY, theme } from './theme/theme.js';

const api = new ApiClient({
  // Called unbound, window.fetch throws "Illegal invocation".
  fetch: (input, init) => window.fetch(input, init),
  store: new SessionStore(window.localStorage, window.sessionStorage),
  locks: navigator.locks,
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// The MP4 export's board pictures: a bare board, no session, no app around it.
const BoardRender = lazy(() =>
  import('./broadcast/board-render.js').then((m) => ({ default: m.BoardRender })),
);

createRoot(root).render(
  window.location.pathname === '/board-render' ? (
    <Suspense>
      <BoardRender />
    </Suspense>
  ) : (
    <StrictMode>
      <ThemeProvider theme={theme} defaultMode="system" modeStorageKey={COLOR_MODE_STORAGE_KEY}>
        <CssBaseline enableColorScheme />
        <SessionProvider api={api}>
          <NotifierProvider>
            <BrowserRouter>
              <App />
            </BrowserRouter>
          </NotifierProvider>
        </SessionProvider>
      </ThemeProvider>
    </StrictMode>
  ),
);
