import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { RequireAccount } from './auth/require-account.js';
import { AppShell } from './components/app-shell.js';
import { WatchPage } from './broadcast/watch-page.js';
import { ClassPage } from './pages/class-page.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { JoinPage } from './pages/join-page.js';
import { LoginPage } from './pages/login-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { SignupPage } from './pages/signup-page.js';
import { AccountPage } from './pages/account-page.js';

// The replay draws the board with tldraw, which is large: loaded only on that page.
const ReplayPage = lazy(() =>
  import('./broadcast/replay-page.js').then((m) => ({ default: m.ReplayPage })),
);

export function App() {
  return (
    <Routes>
      <Route element={<AppShell />}>
        <Route
          index
          element={
            <RequireAccount>
              <DashboardPage />
            </RequireAccount>
          }
        />
        <Route
          path="account"
          element={
            <RequireAccount>
              <AccountPage />
            </RequireAccount>
          }
        />
        <Route path="login" element={<LoginPage />} />
        <Route path="signup" element={<SignupPage />} />
        <Route path="classes/:id" element={<ClassPage />} />
        <Route path="classes/:id/watch" element={<WatchPage />} />
        <Route
          path="classes/:id/recordings/:rid"
          element={
            <Suspense fallback={null}>
              <ReplayPage />
            </Suspense>
          }
        />
        <Route path="join/:code" element={<JoinPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
