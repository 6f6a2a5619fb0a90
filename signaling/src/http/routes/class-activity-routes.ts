import {
  chatHistoryQuerySchema,
  chatHistoryResponseSchema,
  idParamSchema,
  pollListResponseSchema,
} from '@educloud/protocol';
import type { ClassService } from '../../classes/class-service.js';
import type { ChatService } from '../../live/chat-service.js';
import type { PollService } from '../../live/polls.js';
import { who, type RouteTable } from '../route-table.js';

/** What happened in a class (chat, polls), for its members: export now, replay later. */
export function addClassActivityRoutes(
  routes: RouteTable,
  classes: ClassService,
  chat: ChatService,
  polls: PollService,
): void {
  routes
    .add({
      method: 'get',
      path: '/api/classes/:id/chat',
      summary: 'Chat history, oldest first (teachers also see private messages to them)',
      tag: 'classes',
      audience: 'member',
      params: idParamSchema,
      query: chatHistoryQuerySchema,
      responses: { 200: { description: 'Messages', schema: chatHistoryResponseSchema } },
      handler: async ({ principal, params, query }) => {
        const p = who(principal);
        const { role } = await classes.requireMember(p, params.id);
        const messages = await chat.history(params.id, { userId: p.userId, role }, query);
        return { status: 200, body: { messages } };
      },
    })
    .add({
      method: 'get',
      path: '/api/classes/:id/polls',
      summary: 'Polls and quizzes of the class with their results (students: once shared)',
      tag: 'classes',
      audience: 'member',
      params: idParamSchema,
      responses: { 200: { description: 'Polls', schema: pollListResponseSchema } },
      handler: async ({ principal, params }) => {
        const p = who(principal);
        const { role } = await classes.requireMember(p, params.id);
        const list = await polls.list(params.id, { userId: p.userId, role });
        return {
          status: 200,
          body: { polls: list.map(({ poll, results }) => ({ ...poll, results })) },
        };
      },
    });
}
