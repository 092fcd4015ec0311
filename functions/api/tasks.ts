import type { z } from 'zod';
import { DynamoHumanTaskStore } from '../adapters/human-task-store.ts';
import { listTasks } from '../core/human-tasks.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { spineRoutes } from './routes/spine.ts';
import type { TaskListQuery } from './schemas/tasks.ts';

/** Work inbox: the human workflow steps waiting on the caller's staff roles. */
const tasks = new DynamoHumanTaskStore();

type Req = AuthedRequest<Record<string, never>, z.infer<typeof TaskListQuery>>;

export const handler = routeGroupHandler('tasks', spineRoutes, {
  listTasks: async (req: Req) => ({
    status: 200,
    body: await listTasks({ tasks }, req.principal, req.query),
  }),
});
