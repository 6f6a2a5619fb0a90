import { useState, type ReactNode } from 'react';
import type { ClassInfo, CreateClassRequest } from '@educloud/protocol';
import AddIcon from '@mui/icons-material/Add';
import SchoolOutlinedIcon from '@mui/icons-material/SchoolOutlined';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Skeleton from '@mui/material/Skeleton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { errorMessage } from '../api/api-error.js';
import { createClass, listClasses } from '../api/classes-api.js';
import { useApi, useSession } from '../auth/session-context.js';
import { ClassFormDialog } from '../components/class-form-dialog.js';
import { useNotify } from '../components/notify-context.js';
import { StudentClassList } from '../components/student-class-list.js';
import { TeacherClassCard } from '../components/teacher-class-card.js';
import { useResource } from '../lib/use-resource.js';
import { useDocumentTitle } from '../lib/use-document-title.js';

export function DashboardPage() {
  const api = useApi();
  const notify = useNotify();
  const { user } = useSession();
  const classes = useResource(`classes:${user?.id ?? ''}`, () => listClasses(api));
  const [creating, setCreating] = useState(0);
  const canTeach = user?.role === 'teacher' || user?.role === 'admin';
  useDocumentTitle(canTeach ? 'Your classes' : 'My classes');

  const all = classes.data ?? [];
  const teaching = all.filter((c) => c.myRole === 'teacher');
  const attending = all.filter((c) => c.myRole === 'student');

  const create = async (body: CreateClassRequest) => {
    const cls = await createClass(api, body);
    classes.setData((list) => [cls, ...(list ?? [])]);
    notify('Class created');
  };
  const replace = (cls: ClassInfo) =>
    classes.setData((list) => list?.map((c) => (c.id === cls.id ? cls : c)));
  const drop = (id: string) => classes.setData((list) => list?.filter((c) => c.id !== id));

  return (
    <Stack spacing={4}>
      <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', gap: 2 }}>
        <div>
          <Typography variant="h4" component="h1" data-testid="dashboard-title">
            {canTeach ? 'Your classes' : 'My classes'}
          </Typography>
          <Typography color="text.secondary">
            {canTeach
              ? 'Create classes, share the invite link and set up your broadcast.'
              : 'Classes you joined with an invite link.'}
          </Typography>
        </div>
        {canTeach && (
          <Button
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setCreating((n) => n + 1)}
            data-testid="create-class"
            sx={{ flexShrink: 0 }}
          >
            New class
          </Button>
        )}
      </Stack>

      {classes.error ? (
        <Alert
          severity="error"
          action={
            <Button color="inherit" onClick={classes.reload}>
              Retry
            </Button>
          }
        >
          {errorMessage(classes.error)}
        </Alert>
      ) : null}

      {classes.loading && !classes.data && (
        <Stack spacing={2}>
          <Skeleton variant="rounded" height={140} />
          <Skeleton variant="rounded" height={140} />
        </Stack>
      )}

      {classes.data && canTeach && (
        <Stack spacing={2} data-testid="teaching-list">
          {teaching.length === 0 ? (
            <EmptyState
              text="No classes yet. Create your first class, then share its invite link with your students."
              action={
                <Button
                  variant="outlined"
                  startIcon={<AddIcon />}
                  onClick={() => setCreating((n) => n + 1)}
                >
                  Create a class
                </Button>
              }
            />
          ) : (
            teaching.map((cls) => (
              <TeacherClassCard key={cls.id} cls={cls} onChanged={replace} onDeleted={drop} />
            ))
          )}
        </Stack>
      )}

      {classes.data && (!canTeach || attending.length > 0) && (
        <Stack spacing={2} data-testid="attending-list">
          {canTeach && (
            <Typography variant="h5" component="h2">
              Classes you attend
            </Typography>
          )}
          {attending.length === 0 ? (
            <EmptyState text="You have not joined a class yet. Open the invite link your teacher shared to join." />
          ) : (
            <StudentClassList classes={attending} />
          )}
        </Stack>
      )}

      {creating > 0 && (
        <ClassFormDialog key={creating} open onClose={() => setCreating(0)} onCreate={create} />
      )}
    </Stack>
  );
}

function EmptyState({ text, action }: { text: string; action?: ReactNode }) {
  return (
    <Paper
      variant="outlined"
      sx={{ p: 5, textAlign: 'center', borderStyle: 'dashed', bgcolor: 'transparent' }}
      data-testid="empty-state"
    >
      <SchoolOutlinedIcon sx={{ fontSize: 48, color: 'text.disabled' }} aria-hidden />
      <Typography color="text.secondary" sx={{ mt: 1, mb: action ? 2 : 0 }}>
        {text}
      </Typography>
      {action}
    </Paper>
  );
}
