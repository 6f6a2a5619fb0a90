import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import LinearProgress from '@mui/material/LinearProgress';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { errorMessage } from '../api/api-error.js';
import { getRoster } from '../api/classes-api.js';
import { useApi } from '../auth/session-context.js';
import { useResource } from '../lib/use-resource.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Who is in the class. Mounted only while open, so it loads fresh each time. */
export function RosterDialog(props: { classId: string; title: string; onClose(): void }) {
  const api = useApi();
  const roster = useResource(`roster:${props.classId}`, () => getRoster(api, props.classId));
  const members = roster.data ?? [];

  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="sm" aria-labelledby="roster-title">
      <DialogTitle id="roster-title">Roster · {props.title}</DialogTitle>
      <DialogContent data-testid="roster">
        {roster.loading && <LinearProgress sx={{ mb: 2 }} />}
        {roster.error ? <Alert severity="error">{errorMessage(roster.error)}</Alert> : null}
        {roster.data && members.length === 0 && (
          <Typography color="text.secondary">Nobody has joined yet.</Typography>
        )}
        {members.length > 0 && (
          <Table size="small" aria-label="Class members">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Role</TableCell>
                <TableCell>Joined</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {members.map((m) => (
                <TableRow key={m.user.id} data-testid="roster-row">
                  <TableCell>{m.user.displayName}</TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={
                        m.user.role === 'guest'
                          ? 'Guest'
                          : m.role === 'teacher'
                            ? 'Teacher'
                            : 'Student'
                      }
                      color={m.role === 'teacher' ? 'primary' : 'default'}
                      variant={m.user.role === 'guest' ? 'outlined' : 'filled'}
                    />
                  </TableCell>
                  <TableCell>{dateFormat.format(new Date(m.joinedAt))}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
