import '../adapters/sfn-engine.ts';
import { DynamoApplicationStore } from '../adapters/application-store.ts';
import { DynamoCalendarStore } from '../adapters/calendar-store.ts';
import { DynamoCallStore } from '../adapters/call-store.ts';
import { DueIndexReader } from '../adapters/due-index.ts';
import { DynamoWorkflowRetryStore } from '../adapters/durable-workflows.ts';
import { dynamoEvaluationDeps } from '../adapters/evaluation-store.ts';
import { DynamoHumanTaskStore } from '../adapters/human-task-store.ts';
import { ulidIds } from '../adapters/ids.ts';
import { DynamoNoticeStore, WorkflowListingTasks } from '../adapters/notice-store.ts';
import { dynamoReviewDeps } from '../adapters/review-store.ts';
import { DynamoRevocationStore } from '../adapters/revocation-store.ts';
import { policyEndDate } from '../adapters/settings-store.ts';
import { DynamoVoucherStore } from '../adapters/voucher-store.ts';
import { rawWorkflowEngine, workflowEngine } from '../adapters/workflow-engine.ts';
import { auditEvent, SYSTEM_ACTOR } from '../core/audit.ts';
import { calendarWarnings, loadCalendar, yearsAround } from '../core/calendar.ts';
import { callDeadlineActions } from '../core/calls.ts';
import { type DeadlineSummary, runDeadlines } from '../core/deadlines.ts';
import {
  REPORT_OVERDUE,
  REPORT_REMINDER,
  reportOverdueAction,
  reportReminderAction,
} from '../core/evaluations.ts';
import { taskDeadlineAction } from '../core/human-tasks.ts';
import { noticeCloseAction } from '../core/notices.ts';
import { REVIEW_DUE_DAYS, SUPPLEMENT_DEADLINE, supplementDeadlineAction } from '../core/review.ts';
import {
  POLICY_END_DUE,
  policyEndAction,
  REVOCATION_RESPONSE_DUE,
  revocationResponseAction,
} from '../core/revocations.ts';
import { VOUCHER_EXPIRY, voucherExpiryAction } from '../core/vouchers.ts';
import { WORKFLOW_RETRY_DUE, workflowRetryAction } from '../core/workflow-retries.ts';
import { clock } from '../shared/clock.ts';
import { logger } from '../shared/powertools.ts';

/**
 * The deadline job (EventBridge Scheduler every minute in AWS; the local scheduler locally): reads the
 * sparse due index up to now and acts — human tasks are reminded at `dueAt` and escalated one span later.
 */
const due = new DueIndexReader();
const evaluations = dynamoEvaluationDeps({
  workflows: workflowEngine,
  clock,
  onWorkflowError: (error, context) =>
    logger.error('workflow call failed', { ...context, error: error as Error }),
});
const revocations = new DynamoRevocationStore();
const actions = {
  // Art. 13–14: the host's response period ends; recognitions end with the policy.
  [REVOCATION_RESPONSE_DUE]: revocationResponseAction(revocations),
  [POLICY_END_DUE]: policyEndAction(revocations),
  task: taskDeadlineAction(new DynamoHumanTaskStore()),
  // A workflow call that failed after its decision committed: repeated with backoff, or raised to officers.
  [WORKFLOW_RETRY_DUE]: workflowRetryAction({
    retries: new DynamoWorkflowRetryStore(),
    engine: rawWorkflowEngine,
  }),
  // Art. 6(3): an unredeemed compute voucher expires at its expiry instant (face value issued → expired).
  [VOUCHER_EXPIRY]: voucherExpiryAction({ vouchers: new DynamoVoucherStore(), ids: ulidIds }),
  // Art. 12: self-evaluation report reminders (7 days, 1 day before) and the overdue marking.
  [REPORT_REMINDER]: reportReminderAction(evaluations),
  [REPORT_OVERDUE]: reportOverdueAction(evaluations),
  ...callDeadlineActions(new DynamoCallStore()),
  'notice-close': noticeCloseAction({
    notices: new DynamoNoticeStore(),
    applications: new DynamoApplicationStore(),
    listing: new WorkflowListingTasks(workflowEngine),
    clock,
    policyEndDate: () => policyEndDate(),
    onError: (error, context) =>
      logger.error('notice close step failed', { ...context, error: error as Error }),
  }),
  [SUPPLEMENT_DEADLINE]: supplementDeadlineAction(
    dynamoReviewDeps({
      workflows: workflowEngine,
      clock,
      dueDays: REVIEW_DUE_DAYS,
      onWorkflowError: (error, context) =>
        logger.error('workflow call failed', { ...context, error: error as Error }),
    }),
  ),
};

/** Art. 8(4): warn (at most hourly) while the current or coming year's holiday calendar is missing. */
const calendar = new DynamoCalendarStore();
let calendarCheckedAt = 0;
async function checkCalendar(now: Date): Promise<void> {
  if (now.getTime() - calendarCheckedAt < 3_600_000) return;
  calendarCheckedAt = now.getTime();
  const warnings = calendarWarnings(await loadCalendar(calendar, yearsAround(now)), now);
  for (const w of warnings)
    logger.warn('working-day calendar incomplete', { code: w.code, year: w.year, detail: w.message });
}

/** Art. 14: plans the end of recognitions at the configured date once, when nothing is planned yet. */
let policyEndPlanned = false;
async function planPolicyEndOnce(now: Date): Promise<void> {
  if (policyEndPlanned) return;
  const date = await policyEndDate();
  await revocations.ensurePolicyEndPlanned(
    date,
    auditEvent(now, SYSTEM_ACTOR, 'policy.end_planned', 'policy', 'policy-end', { policyEndDate: date }),
  );
  policyEndPlanned = true;
}

export const handler = async (_event?: unknown): Promise<DeadlineSummary> => {
  await planPolicyEndOnce(clock.now()).catch((error: unknown) =>
    logger.error('planning the policy end failed', { error: error as Error }),
  );
  const summary = await runDeadlines({
    due,
    actions,
    clock,
    onError: (error, entry) =>
      logger.error('deadline action failed', { dueSk: entry.dueSk, error: error as Error }),
  });
  if (summary.examined) logger.info('deadline job', { ...summary });
  await checkCalendar(clock.now()).catch((error: unknown) =>
    logger.error('calendar check failed', { error: error as Error }),
  );
  return summary;
};
