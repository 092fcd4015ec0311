import * as z from 'zod';
import { Instant } from './common.ts';

/** A human step a workflow is waiting on (a callback task); staff inboxes list these. */
export const HumanTaskSchema = z
  .object({
    id: z.string(),
    workflow: z.string(),
    executionName: z.string(),
    stateName: z.string(),
    kind: z.string().describe('what must be done, e.g. uscc_verification'),
    entityType: z.string(),
    entityId: z.string(),
    assigneeRoles: z.array(z.string()),
    assigneeSub: z.string().optional(),
    assigneeSubs: z.array(z.string()).optional().describe('named assignees (owner, assigned experts)'),
    status: z.enum(['pending', 'completed', 'failed', 'timed_out']),
    createdAt: Instant,
    dueAt: Instant,
    remindedAt: Instant.optional(),
    escalatedAt: Instant.optional(),
  })
  .meta({ id: 'HumanTask' });

export const TaskListQuery = z
  .object({
    status: z.enum(['pending', 'completed', 'failed', 'timed_out']).default('pending'),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(1024).optional(),
  })
  .strict();
