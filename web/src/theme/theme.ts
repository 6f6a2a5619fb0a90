import { createTheme } from '@mui/material/styles';

/**
 * One theme with light and dark schemes as CSS variables: switching mode swaps a class on <html>
 * instead of re-rendering the tree, and MUI persists the choice (default: the OS preference).
 */
export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    light: {
      palette: {
        primary: { main: '#1565c0' },
        secondary: { main: '#00897b' },
        background: { default: '#f5f7fb', paper: '#ffffff' },
      },
    },
    dark: {
      palette: {
        primary: { main: '#90caf9' },
        secondary: { main: '#4db6ac' },
        background: { default: '#0f1420', paper: '#161d2b' },
      },
    },
  },
  shape: { borderRadius: 10 },
  typography: {
    fontFamily: 'Roboto, system-ui, -apple-system, "Segoe UI", sans-serif',
    h4: { fontWeight: 600 },
    h5: { fontWeight: 600 },
    h6: { fontWeight: 600 },
  },
  components: {
    MuiButton: {
      defaultProps: { disableElevation: true },
      styleOverrides: { root: { textTransform: 'none', fontWeight: 500 } },
    },
    MuiCard: { defaultProps: { variant: 'outlined' } },
    MuiTextField: { defaultProps: { fullWidth: true } },
    MuiAppBar: { defaultProps: { elevation: 0 } },
  },
});

/** Key under which the chosen light/dark mode is kept in localStorage. */
export const COLOR_MODE_STORAGE_KEY = 'educloud.color-mode';
