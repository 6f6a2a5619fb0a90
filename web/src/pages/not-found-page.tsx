import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import { useDocumentTitle } from '../lib/use-document-title.js';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <Stack
      spacing={2}
      sx={{ alignItems: 'center', textAlign: 'center', py: 8 }}
      data-testid="not-found"
    >
      <Typography variant="h2" component="p" color="text.disabled" aria-hidden>
        404
      </Typography>
      <Typography variant="h5" component="h1">
        Page not found
      </Typography>
      <Typography color="text.secondary">
        The address may be mistyped, or the page was moved.
      </Typography>
      <Button component={RouterLink} to="/" variant="contained">
        Go to the start page
      </Button>
    </Stack>
  );
}
