import type { ReactNode } from 'react';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

/** The centred card around the login, sign-up and join forms. */
export function AuthCard(props: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <Stack sx={{ alignItems: 'center' }}>
      <Card sx={{ width: '100%', maxWidth: 460 }}>
        <CardContent sx={{ p: { xs: 3, sm: 4 } }}>
          <Typography variant="h5" component="h1" gutterBottom>
            {props.title}
          </Typography>
          {props.subtitle && (
            <Typography color="text.secondary" sx={{ mb: 3 }}>
              {props.subtitle}
            </Typography>
          )}
          {props.children}
        </CardContent>
      </Card>
    </Stack>
  );
}
