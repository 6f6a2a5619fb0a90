import type { ClassInfo } from '@educloud/protocol';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router';
import { ScheduleLine } from './schedule-line.js';

/** Classes the user attends, as cards that open the class page. */
export function StudentClassList({ classes }: { classes: ClassInfo[] }) {
  return (
    <Grid container spacing={2}>
      {classes.map((cls) => (
        <Grid key={cls.id} size={{ xs: 12, sm: 6, md: 4 }}>
          <Card
            data-testid={`class-row-${cls.title}`}
            data-class-id={cls.id}
            sx={{ height: '100%' }}
          >
            <CardActionArea
              component={RouterLink}
              to={`/classes/${cls.id}`}
              sx={{ height: '100%' }}
            >
              <CardContent>
                <Typography variant="h6" component="h3" gutterBottom>
                  {cls.title}
                </Typography>
                <ScheduleLine start={cls.scheduledStart} end={cls.scheduledEnd} />
                {cls.description && (
                  <Typography
                    variant="body2"
                    sx={{
                      mt: 1.5,
                      display: '-webkit-box',
                      WebkitLineClamp: 3,
                      WebkitBoxOrient: 'vertical',
                      overflow: 'hidden',
                    }}
                  >
                    {cls.description}
                  </Typography>
                )}
              </CardContent>
            </CardActionArea>
          </Card>
        </Grid>
      ))}
    </Grid>
  );
}
