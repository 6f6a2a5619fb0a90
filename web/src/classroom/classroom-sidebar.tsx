import Badge from '@mui/material/Badge';
import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useEffect, useState } from 'react';
import type { LiveSession, LiveSnapshot } from '../live/live-session.js';
import type { RoomTab } from '../live/room-slots.js';
import { ChatAnnouncer } from './chat-announcer.js';
import { ChatPanel } from './chat-panel.js';
import { ClassSettingsPanel } from './class-settings-panel.js';
import type { ClassroomSnapshot } from './classroom-store.js';
import { ParticipantsPanel } from './participants-panel.js';
import { PollsPanel } from './polls-panel.js';
import { WaitingRoomList } from './waiting-room-list.js';

type Panel = 'people' | 'chat' | 'polls' | 'settings' | (string & {});

/**
 * The classroom beside the video: people, chat (with unread count), polls, settings, and the
 * tabs other features add (`extraTabs`).
 */
export function ClassroomSidebar({
  session,
  state,
  classroom,
  myUserId,
  extraTabs = [],
}: {
  session: LiveSession;
  state: LiveSnapshot;
  classroom: ClassroomSnapshot;
  myUserId: string | null;
  extraTabs?: RoomTab[];
}) {
  const [panel, setPanel] = useState<Panel>('people');
  const isTeacher = state.role === 'teacher';
  const tabs = extraTabs.filter((t) => isTeacher || !t.teacherOnly);
  const known = panel !== 'settings' || isTeacher;
  const extra = tabs.find((t) => t.id === panel);
  const builtIn = ['people', 'chat', 'polls', 'settings'].includes(panel);
  const visible: Panel = known && (builtIn || extra) ? panel : 'people';
  useEffect(() => {
    session.classroom.setChatOpen(visible === 'chat');
  }, [session, visible]);
  const openPolls = classroom.polls.filter((p) => p.status === 'open' && !p.myChoices).length;

  return (
    <Paper
      variant="outlined"
      sx={{ p: 1, height: '100%', overflow: 'auto', boxSizing: 'border-box' }}
      data-testid="classroom-sidebar"
    >
      <ChatAnnouncer chat={classroom.chat} myUserId={myUserId} />
      <Tabs
        value={visible}
        onChange={(_e, v: Panel) => setPanel(v)}
        variant="scrollable"
        scrollButtons="auto"
        allowScrollButtonsMobile
        aria-label="Classroom panels"
      >
        <Tab
          value="people"
          id="tab-people"
          aria-controls="panel-people"
          data-testid="tab-people"
          label={
            <Badge color="warning" badgeContent={isTeacher ? classroom.waiting.length : 0}>
              People ({state.peers.length + 1})
            </Badge>
          }
        />
        <Tab
          value="chat"
          id="tab-chat"
          aria-controls="panel-chat"
          data-testid="tab-chat"
          aria-label={classroom.unread ? `Chat, ${classroom.unread} unread` : 'Chat'}
          label={
            <Badge color="primary" badgeContent={classroom.unread} data-testid="chat-unread">
              Chat
            </Badge>
          }
        />
        <Tab
          value="polls"
          id="tab-polls"
          aria-controls="panel-polls"
          data-testid="tab-polls"
          label={
            <Badge color="secondary" badgeContent={isTeacher ? 0 : openPolls}>
              Polls
            </Badge>
          }
        />
        {isTeacher && (
          <Tab
            value="settings"
            id="tab-settings"
            aria-controls="panel-settings"
            data-testid="tab-settings"
            label="Settings"
          />
        )}
        {tabs.map((t) => (
          <Tab
            key={t.id}
            value={t.id}
            id={`tab-${t.id}`}
            aria-controls={`panel-${t.id}`}
            data-testid={`tab-${t.id}`}
            label={t.label}
            {...(t.ariaLabel ? { 'aria-label': t.ariaLabel } : {})}
          />
        ))}
      </Tabs>
      <Box
        role="tabpanel"
        id={`panel-${visible}`}
        aria-labelledby={`tab-${visible}`}
        sx={{ pt: 1 }}
      >
        {visible === 'people' && (
          <>
            {isTeacher && <WaitingRoomList session={session} waiting={classroom.waiting} />}
            <ParticipantsPanel session={session} state={state} />
          </>
        )}
        {visible === 'chat' && (
          <ChatPanel
            session={session}
            classroom={classroom}
            isTeacher={isTeacher}
            myUserId={myUserId}
          />
        )}
        {visible === 'polls' && (
          <PollsPanel session={session} classroom={classroom} isTeacher={isTeacher} />
        )}
        {visible === 'settings' && (
          <ClassSettingsPanel session={session} settings={classroom.settings} />
        )}
        {extra?.content}
      </Box>
    </Paper>
  );
}
