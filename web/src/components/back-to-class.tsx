import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { Link as RouterLink } from 'react-router';

export function BackToClass({ classId }: { classId: string }) {
  return (
    <Box>
      <Button
        component={RouterLink}
        to={`/classes/${classId}`}
        startIcon={<ArrowBackIcon />}
        size="small"
      >
        Back to the class
      </Button>
    </Box>
  );
}
