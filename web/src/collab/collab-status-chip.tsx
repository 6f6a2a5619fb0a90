import Chip from '@mui/material/Chip';
import type { CollabStatus } from './collab-connection.js';

const labels: Record<CollabStatus['state'], string> = {
  connecting: 'Connecting…',
  synced: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Disconnected',
};

export function CollabStatusChip({ status, testId }: { status: CollabStatus; testId: string }) {
  return (
    <Chip
      size="small"
      data-testid={testId}
      data-state={status.state}
      color={
        status.state === 'synced' ? 'success' : status.state === 'failed' ? 'error' : 'default'
      }
      label={labels[status.state]}
      title={'reason' in status ? status.reason : undefined}
    />
  );
}
