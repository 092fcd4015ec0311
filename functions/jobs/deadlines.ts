import { DueIndexReader } from '../adapters/due-index.ts';
import { DynamoHumanTaskStore } from '../adapters/human-task-store.ts';
import { type DeadlineSummary, runDeadlines } from '../core/deadlines.ts';
import { taskDeadlineAction } from '../core/human-tasks.ts';
import { clock } from '../shared/clock.ts';
import { logger } from '../shared/powertools.ts';

/**
 * The deadline job (EventBridge Scheduler every minute in AWS; the local scheduler locally): reads the
 * sparse due index up to now and acts — human tasks are reminded at `dueAt` and escalated one span later.
 */
const due = new DueIndexReader();
const actions = { task: taskDeadlineAction(new DynamoHumanTaskStore()) };

export const handler = async (_event?: unknown): Promise<DeadlineSummary> => {
  const summary = await runDeadlines({
    due,
    actions,
    clock,
    onError: (error, entry) =>
      logger.error('deadline action failed', { dueSk: entry.dueSk, error: error as Error }),
  });
  if (summary.examined) logger.info('deadline job', { ...summary });
  return summary;
};
