import { breakoutRoomListSchema, idParamSchema } from '@educloud/protocol';
import type { ClassService } from '../../classes/class-service.js';
import type { BreakoutStore } from '../../live/breakouts/breakout-store.js';
import { who, type RouteTable } from '../route-table.js';

/** The breakout rooms a class has had, with their whiteboards (kept after they close). */
export function addBreakoutRoutes(
  routes: RouteTable,
  classes: ClassService,
  breakouts: BreakoutStore,
): void {
  routes.add({
    method: 'get',
    path: '/api/classes/:id/breakouts',
    summary: 'Breakout rooms of the class, newest first, with their whiteboard documents',
    tag: 'classes',
    audience: 'member',
    params: idParamSchema,
    responses: { 200: { description: 'Breakout rooms', schema: breakoutRoomListSchema } },
    handler: async ({ principal, params }) => {
      await classes.requireMember(who(principal), params.id);
      return { status: 200, body: { breakouts: await breakouts.list(params.id) } };
    },
  });
}
