import LogoutIcon from '@mui/icons-material/Logout';
import ManageAccountsIcon from '@mui/icons-material/ManageAccounts';
import SchoolIcon from '@mui/icons-material/School';
import AppBar from '@mui/material/AppBar';
import Avatar from '@mui/material/Avatar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Container from '@mui/material/Container';
import Stack from '@mui/material/Stack';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { Link as RouterLink, Outlet, useNavigate } from 'react-router';
import { logout } from '../api/auth-api.js';
import { useApi, useSession } from '../auth/session-context.js';
import { ColorModeToggle } from './color-mode-toggle.js';

const roleLabel: Record<string, string> = {
  admin: 'Admin',
  teacher: 'Teacher',
  student: 'Student',
  guest: 'Guest',
};

// Phones get icons only; the text is in tooltips and accessible names.
const hiddenOnPhones = (display: 'inline' | 'block' | 'inline-flex') =>
  ({ display: { xs: 'none', sm: display } }) as const;

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return (
    (parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')
  ).toUpperCase();
}

export function AppShell() {
  const api = useApi();
  const { user, isGuest } = useSession();
  const navigate = useNavigate();
  const role = user ? (roleLabel[user.role] ?? user.role) : '';
  const logoutLabel = isGuest ? 'Leave' : 'Log out';

  const onLogout = async () => {
    // The local session ends synchronously inside logout(); only the revocation is awaited.
    const revoked = isGuest ? api.endGuest() : logout(api);
    navigate('/login', { replace: true });
    await revoked;
  };

  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', flexDirection: 'column' }}>
      <AppBar position="sticky" color="primary">
        <Toolbar sx={{ gap: 1 }}>
          <Button
            component={RouterLink}
            to="/"
            color="inherit"
            startIcon={<SchoolIcon />}
            sx={{ fontSize: '1.1rem', fontWeight: 600, mr: 'auto', whiteSpace: 'nowrap' }}
            aria-label="EduCloud Live: start page"
            data-testid="app-home"
          >
            <Box component="span" sx={hiddenOnPhones('inline')}>
              EduCloud Live
            </Box>
          </Button>
          <ColorModeToggle />
          {user ? (
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Tooltip title={`${user.displayName} (${role})`}>
                <Avatar
                  sx={{ width: 32, height: 32, fontSize: 14, bgcolor: 'secondary.main' }}
                  aria-hidden
                >
                  {initials(user.displayName)}
                </Avatar>
              </Tooltip>
              <Typography
                variant="body2"
                noWrap
                sx={{ ...hiddenOnPhones('block'), fontWeight: 600, maxWidth: 220 }}
                data-testid="app-user-name"
              >
                {user.displayName}
              </Typography>
              <Chip
                size="small"
                label={role}
                data-testid="app-user-role"
                sx={{
                  ...hiddenOnPhones('inline-flex'),
                  color: 'inherit',
                  borderColor: 'currentColor',
                }}
                variant="outlined"
              />
              {!isGuest && (
                <Tooltip title="Account: password, log out everywhere">
                  <Button
                    color="inherit"
                    component={RouterLink}
                    to="/account"
                    aria-label="Account"
                    data-testid="app-account"
                    sx={{ minWidth: 0 }}
                  >
                    <ManageAccountsIcon />
                  </Button>
                </Tooltip>
              )}
              <Button
                color="inherit"
                onClick={onLogout}
                startIcon={<LogoutIcon />}
                aria-label={logoutLabel}
                data-testid="logout"
                sx={{ whiteSpace: 'nowrap' }}
              >
                <Box component="span" sx={hiddenOnPhones('inline')}>
                  {logoutLabel}
                </Box>
              </Button>
            </Stack>
          ) : (
            <Stack direction="row" spacing={1} sx={{ whiteSpace: 'nowrap' }}>
              <Button color="inherit" component={RouterLink} to="/login">
                Log in
              </Button>
              <Button color="inherit" variant="outlined" component={RouterLink} to="/signup">
                Sign up
              </Button>
            </Stack>
          )}
        </Toolbar>
      </AppBar>
      <Container component="main" maxWidth="lg" sx={{ py: { xs: 3, md: 5 }, flex: 1 }}>
        <Outlet />
      </Container>
    </Box>
  );
}
