import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal } from '../shared/roles.ts';
import type { EvidenceManifestEntry } from './applications.ts';
import { type AuditEvent, actorOf, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import { endOfShanghaiDay, isCalendarDate, shanghaiDate } from './calendar.ts';
import type { DueItem } from './deadlines.ts';
import {
  bandProblems,
  criteriaProblems,
  DEFAULT_BANDS,
  decideGrade,
  type Grade,
  type ScoreBands,
  type Scores,
  type ScoringCriterion,
} from './grading.ts';
import { type HumanTask, type HumanTaskRepo, openHumanTask, taskId, taskSubject } from './human-tasks.ts';
import type { NotificationInput } from './notifications.ts';
import { assertPlatformActive, hostedPlatform, type Platform, type PlatformRepo } from './platforms.ts';
import type { Clock, WorkflowCallSubject, Workflows } from './ports.ts';
import { auditObserverRead, consentCovering, type SharingRepo, type SharingScope } from './sharing.ts';

/**
 * The annual comprehensive evaluation (Art. 12): an officer creates a cycle for a year (criteria, score
 * bands, report deadline) and opens it — every platform active at that moment gets an evaluation
 * awaiting its self-evaluation report, and one `annual-evaluation` execution. Hosts draft and submit
 * the report with evidence before the deadline (the deadline job reminds 7 days and 1 day before and
 * marks it overdue after); officers score it and a grade follows from the bands (an override needs a
 * reason); the approver signs the cycle off, which publishes the grades. A platform revoked mid-cycle
 * is not graded. Every change is one transaction with its audit event and notifications.
 */
export { GRADES, type Grade } from './grading.ts';

export const EVALUATION_STATUSES = [
  'awaiting_report',
  'report_submitted',
  'graded',
  'published',
  'overdue',
  'not_graded',
] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

export const CYCLE_STATUSES = ['created', 'open', 'finalized'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

export const ANNUAL_EVALUATION_WORKFLOW = 'annual-evaluation';
export const EVALUATION_ENTITY = 'evaluation';
/** Deadline types (due index) of an evaluation: reminders before, overdue marking after the deadline. */
export const REPORT_REMINDER = 'report-reminder';
export const REPORT_OVERDUE = 'report-overdue';
/** Reminders this many days before the report deadline. */
export const REMINDER_DAYS_BEFORE = [7, 1] as const;
/** A cycle is opened at most this many days before its report deadline (the workflow's waits outlast it). */
export const MAX_REPORT_WINDOW_DAYS = 180;
/** The callback states of the annual-evaluation machine (task ids derive from them). */
export const EVALUATION_STATES = {
  report: 'AwaitReport',
  grading: 'AwaitGrading',
  signOff: 'AwaitSignOff',
} as const;

const DAY_MS = 86_400_000;

/** Keys of the evaluation entities (see the README's access patterns). */
export const evaluationKeys = {
  cycle: (year: number) => ({ pk: `EVALCYCLE#${year}`, sk: 'CYCLE' }),
  evaluation: (year: number, platformId: string) => ({ pk: `EVALCYCLE#${year}`, sk: `EVAL#${platformId}` }),
} as const;

/** One evaluation per platform and year; its id names the workflow execution and the due entries. */
export const evaluationIdFor = (year: number, platformId: string): string => `e-${year}-${platformId}`;
export const evaluationExecutionName = (year: number, platformId: string): string =>
  `eval-${year}-${platformId}`;

export interface EvaluationCycle {
  readonly year: number;
  /** The instant reports are due (a date means 23:59:59.999 that day, Asia/Shanghai). */
  readonly reportDeadline: string;
  readonly criteria: readonly ScoringCriterion[];
  readonly bands: ScoreBands;
  readonly status: CycleStatus;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly openedAt?: string;
  readonly openedBy?: string;
  readonly finalizedAt?: string;
  readonly finalizedBy?: string;
  readonly version: number;
}

/** Art. 12: the self-evaluation report's figures for the year. */
export interface SelfEvaluationReport {
  readonly enterprisesServed: number;
  readonly partnerCount: number;
  readonly cases: number;
  readonly vouchersIssued: number;
  readonly vouchersSettled: number;
  readonly narrative: string;
  readonly evidenceIds: readonly string[];
}

export interface Evaluation {
  readonly id: string;
  readonly year: number;
  readonly platformId: string;
  readonly orgId: string;
  readonly hostName: string;
  readonly status: EvaluationStatus;
  readonly executionName: string;
  readonly reportDeadline: string;
  readonly report?: SelfEvaluationReport;
  readonly reportUpdatedAt?: string;
  readonly reportSubmittedAt?: string;
  readonly reportSubmittedBy?: string;
  /** The verified evidence the report was submitted with (ids + SHA-256). */
  readonly evidenceManifest?: readonly EvidenceManifestEntry[];
  readonly scores?: Scores;
  readonly score?: number;
  readonly bandGrade?: Grade;
  readonly grade?: Grade;
  readonly overrideReason?: string;
  readonly gradedBy?: string;
  readonly gradedAt?: string;
  readonly publishedAt?: string;
  readonly finalizedAt?: string;
  readonly overdueAt?: string;
  readonly notGradedAt?: string;
  readonly notGradedReason?: string;
  readonly workflowError?: { readonly at: string; readonly detail: unknown };
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** What other modules read (revocation candidates, exports): one entry per evaluated year, oldest first. */
export interface GradeRecord {
  readonly year: number;
  readonly status: EvaluationStatus;
  /** Only once published (the approver signed the cycle off). */
  readonly grade?: Grade;
  readonly finalizedAt?: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

// ————— ports —————

/** A change to one evaluation inside an evaluation transaction (version-checked). */
export interface EvaluationChange {
  readonly before: Evaluation;
  readonly set: Partial<Evaluation>;
  readonly remove?: readonly (keyof Evaluation)[];
  /** Puts the evaluation's one due entry at this instant with this type (replacing any). */
  readonly due?: { readonly at: string; readonly type: string };
  /** Drops the due entry; with a value, only if the entry is still exactly that (the deadline job). */
  readonly dropDue?: true | { readonly ifDueSk: string };
}

export interface EvaluationWrite {
  readonly cycle?: { readonly before: EvaluationCycle; readonly set: Partial<EvaluationCycle> };
  /** New evaluations (each only if it does not exist yet), with their first due entry. */
  readonly create?: readonly {
    readonly evaluation: Evaluation;
    readonly due?: { at: string; type: string };
  }[];
  readonly changes?: readonly EvaluationChange[];
  readonly finishTasks?: readonly { readonly task: HumanTask; readonly status: 'completed' | 'failed' }[];
  readonly notifications?: readonly NotificationInput[];
  readonly audit: readonly AuditEvent[];
  readonly idempotency?: IdempotencyWrite;
}

export interface EvaluationRepo {
  /** One transaction: the cycle (409 CYCLE_EXISTS for a second one of the year), audit, idempotency. */
  createCycle(cycle: EvaluationCycle, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  getCycle(year: number): Promise<EvaluationCycle | undefined>;
  get(year: number, platformId: string): Promise<Evaluation | undefined>;
  list(year: number, limit: number, cursor?: string): Promise<Page<Evaluation>>;
  /** Every evaluation of a cycle (strongly consistent, all pages): the sign-off. */
  all(year: number): Promise<Evaluation[]>;
  gradesOf(platformId: string): Promise<GradeRecord[]>;
  /** ONE transaction (throws when it would exceed the transaction limit; callers batch). */
  commit(write: EvaluationWrite): Promise<void>;
}

export interface EvaluationWorkflows extends Workflows {
  sendTaskFailure(
    taskToken: string,
    error: string,
    cause: string,
    about?: WorkflowCallSubject,
  ): Promise<void>;
}

export interface EvaluationDeps {
  readonly repo: EvaluationRepo;
  readonly platforms: Pick<PlatformRepo, 'get' | 'hostMembers' | 'listActive'>;
  readonly tasks: Pick<HumanTaskRepo, 'get' | 'open' | 'finish'>;
  /** E's `verifiedPlatformEvidence`: the manifest, or 422 naming unknown or unverified ids. */
  readonly evidence: {
    verified(platformId: string, evidenceIds: readonly string[]): Promise<EvidenceManifestEntry[]>;
  };
  readonly workflows: () => Promise<EvaluationWorkflows>;
  readonly clock: Clock;
  /**
   * Art. 11: where observers' reads are recorded (E's sharing store), and the data owner's consents that
   * let observers see a report's content (`reports`) and the voucher ledger's figures (`vouchers`).
   */
  readonly sharing?: Pick<SharingRepo, 'record' | 'list'>;
  readonly onWorkflowError?: (error: unknown, context: Record<string, unknown>) => void;
}

/** Art. 11: every observer access is audited. */
async function observed(
  deps: Pick<EvaluationDeps, 'sharing' | 'clock'>,
  principal: Principal,
  route: string,
  entityType: string,
  entityId: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  if (deps.sharing)
    await auditObserverRead(
      { sharing: deps.sharing, clock: deps.clock },
      principal,
      route,
      entityType,
      entityId,
      detail,
    );
}

// ————— rules —————

/**
 * Art. 12 with the contract's date rule: a `reportDeadline` given as a date (`YYYY-MM-DD`) means
 * 23:59:59.999 that day in Asia/Shanghai; an instant with an offset means that instant. 400 otherwise.
 */
export function parseReportDeadline(value: string): Date {
  if (isCalendarDate(value)) return endOfShanghaiDay(value);
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? Date.parse(value)
    : Number.NaN;
  if (Number.isNaN(instant)) {
    throw new ValidationError('reportDeadline must be a date (YYYY-MM-DD) or an ISO instant with offset.', [
      {
        path: 'body.reportDeadline',
        message: 'YYYY-MM-DD (end of that day, Asia/Shanghai) or an ISO instant',
      },
    ]);
  }
  return new Date(instant);
}

/** Art. 12: a report counts when submitted at or before the deadline instant; one millisecond later is late. */
export const reportInTime = (deadline: string, now: Date): boolean => now.getTime() <= Date.parse(deadline);

/** The overdue marking is due one millisecond after the deadline (a submission at the deadline is in time). */
export const overdueAt = (deadline: string): string => new Date(Date.parse(deadline) + 1).toISOString();

/**
 * The evaluation's next deadline entry after `now`: the reminders (deadline − 7 d, − 1 d), then the
 * overdue marking. One entry at a time, moved along by the deadline job.
 */
export function nextReportDue(deadline: string, now: Date): { at: string; type: string } {
  const end = Date.parse(deadline);
  for (const days of REMINDER_DAYS_BEFORE) {
    const at = end - days * DAY_MS;
    if (at > now.getTime()) return { at: new Date(at).toISOString(), type: REPORT_REMINDER };
  }
  return { at: overdueAt(deadline), type: REPORT_OVERDUE };
}

const STAFF_VIEW = ['officer', 'approver', 'admin'] as const;
const isStaff = (p: Principal): boolean => p.roles.some((r) => (STAFF_VIEW as readonly string[]).includes(r));

/** What an observer sees (Art. 11): status always, score and grade only once published. */
export function observerView(e: Evaluation): Partial<Evaluation> {
  return {
    id: e.id,
    year: e.year,
    platformId: e.platformId,
    hostName: e.hostName,
    status: e.status,
    reportDeadline: e.reportDeadline,
    ...(e.status === 'published'
      ? { score: e.score, grade: e.grade, publishedAt: e.publishedAt, finalizedAt: e.finalizedAt }
      : {}),
  } as Partial<Evaluation>;
}

// ————— helpers —————

const notOpen = (cycle: EvaluationCycle): ConflictError =>
  new ConflictError('CYCLE_NOT_OPEN', `The evaluation cycle ${cycle.year} is ${cycle.status}, not open.`, {
    cycleStatus: cycle.status,
  });

const wrongStatus = (e: Evaluation, expected: string, code = 'WRONG_STAGE'): ConflictError =>
  new ConflictError(
    code,
    `The evaluation of platform ${e.platformId} for ${e.year} is ${e.status}; this step needs ${expected}.`,
    { status: e.status },
  );

async function cycleOf(deps: Pick<EvaluationDeps, 'repo'>, year: number): Promise<EvaluationCycle> {
  const cycle = await deps.repo.getCycle(year);
  if (!cycle) throw new NotFoundError('evaluation cycle', String(year));
  return cycle;
}

async function evaluationOf(
  deps: Pick<EvaluationDeps, 'repo'>,
  year: number,
  platformId: string,
): Promise<Evaluation> {
  const e = await deps.repo.get(year, platformId);
  if (!e) throw new NotFoundError('evaluation', `${year}/${platformId}`);
  return e;
}

const hostNotes = (
  members: readonly string[],
  e: Evaluation,
  event: string,
  title: string,
  at: string,
  detail: Record<string, unknown> = {},
  dedupe?: string,
): NotificationInput[] =>
  members.map((sub) => ({
    recipient: { sub },
    event,
    entityType: EVALUATION_ENTITY,
    entityId: e.id,
    title,
    detail: { year: e.year, platformId: e.platformId, ...detail },
    at,
    dedupeKey: `${event}#${e.id}${dedupe ? `#${dedupe}` : ''}`,
  }));

const roleNote = (
  role: 'officer' | 'approver',
  e: Pick<Evaluation, 'id' | 'year' | 'platformId'>,
  event: string,
  title: string,
  at: string,
  detail: Record<string, unknown> = {},
): NotificationInput => ({
  recipient: { role },
  event,
  entityType: EVALUATION_ENTITY,
  entityId: e.id,
  title,
  detail: { year: e.year, platformId: e.platformId, ...detail },
  at,
});

async function pendingTask(
  deps: Pick<EvaluationDeps, 'tasks'>,
  e: Evaluation,
  state: string,
): Promise<HumanTask | undefined> {
  const task = await deps.tasks.get(taskId(e.executionName, state));
  return task?.status === 'pending' ? task : undefined;
}

async function release(
  deps: Pick<EvaluationDeps, 'workflows' | 'onWorkflowError'>,
  task: HumanTask,
  outcome: { output: Record<string, unknown> } | { error: string; cause: string },
): Promise<void> {
  try {
    const engine = await deps.workflows();
    if ('output' in outcome) await engine.sendTaskSuccess(task.token, outcome.output, taskSubject(task));
    else await engine.sendTaskFailure(task.token, outcome.error, outcome.cause, taskSubject(task));
  } catch (error) {
    deps.onWorkflowError?.(error, { taskId: task.id, entityId: task.entityId, step: 'release' });
  }
}

async function ignoreConflict(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e) {
    if (e instanceof ConflictError) return false;
    throw e;
  }
}

// ————— cycles —————

export interface CycleInput {
  readonly year: number;
  readonly reportDeadline: string;
  readonly criteria: readonly ScoringCriterion[];
  readonly bands?: ScoreBands;
}

/**
 * `POST /v1/evaluation-cycles` (Art. 12): one cycle per year (409 CYCLE_EXISTS); criteria like a
 * call's; bands default to excellent ≥ 90, good ≥ 75, qualified ≥ 60 and must descend; the report
 * deadline must lie in the future.
 */
export async function createCycle(
  deps: Pick<EvaluationDeps, 'repo' | 'clock'>,
  principal: Principal,
  input: CycleInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: EvaluationCycle }> {
  const bands = input.bands ?? DEFAULT_BANDS;
  const problems = [...criteriaProblems(input.criteria), ...bandProblems(bands)];
  if (problems.length)
    throw new ValidationError('The evaluation cycle cannot be created as given.', problems);
  const deadline = parseReportDeadline(input.reportDeadline);
  const now = deps.clock.now();
  if (deadline.getTime() <= now.getTime()) {
    throw new ValidationError('The report deadline must be in the future.', [
      { path: 'body.reportDeadline', message: `after ${now.toISOString()}` },
    ]);
  }
  const at = now.toISOString();
  const cycle: EvaluationCycle = {
    year: input.year,
    reportDeadline: deadline.toISOString(),
    criteria: input.criteria.map((c) => ({ key: c.key, title: c.title, weight: c.weight, max: c.max })),
    bands: { excellent: bands.excellent, good: bands.good, qualified: bands.qualified },
    status: 'created',
    createdBy: principal.sub,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await deps.repo.createCycle(
    cycle,
    auditEvent(now, actorOf(principal), 'evaluation_cycle.created', 'evaluation_cycle', String(input.year), {
      reportDeadline: cycle.reportDeadline,
      criteria: cycle.criteria,
      bands: cycle.bands,
    }),
    idempotency ? { ...idempotency, response: { status: 201, body: cycle }, at: now } : undefined,
  );
  return { status: 201, body: cycle };
}

/** `GET /v1/evaluation-cycles/{year}`: staff and observers. */
export const getCycle = (deps: Pick<EvaluationDeps, 'repo'>, year: number): Promise<EvaluationCycle> =>
  cycleOf(deps, year);

/** Evaluations created per transaction when a cycle opens (each with its audit event and host notices). */
const OPEN_BATCH = 10;

/**
 * `POST /v1/evaluation-cycles/{year}/open` (Art. 12): every platform active (and valid) at the moment
 * of opening gets an evaluation `awaiting_report` with its first deadline entry, its hosts are told,
 * and one `annual-evaluation` execution `eval-<year>-<platformId>` starts per platform. Pages through
 * the active index and commits in batches. Idempotent: opening again creates only what is missing
 * (platforms recognised after the first opening are not added) and starts nothing twice.
 */
export async function openCycle(
  deps: EvaluationDeps,
  principal: Principal,
  year: number,
): Promise<{ year: number; status: CycleStatus; openedAt: string; evaluations: number; created: number }> {
  let cycle = await cycleOf(deps, year);
  if (cycle.status === 'finalized') throw notOpen(cycle);
  let now = deps.clock.now();
  if (cycle.status === 'created') {
    if (!reportInTime(cycle.reportDeadline, now)) {
      throw new ConflictError(
        'REPORT_DEADLINE_PASSED',
        `The report deadline ${cycle.reportDeadline} of cycle ${year} has passed; create the cycle with a later deadline.`,
      );
    }
    if (Date.parse(cycle.reportDeadline) - now.getTime() > MAX_REPORT_WINDOW_DAYS * DAY_MS) {
      throw new ConflictError(
        'OPENED_TOO_EARLY',
        `Open the cycle at most ${MAX_REPORT_WINDOW_DAYS} days before its report deadline ${cycle.reportDeadline}.`,
      );
    }
    const at = now.toISOString();
    await deps.repo.commit({
      cycle: { before: cycle, set: { status: 'open', openedAt: at, openedBy: principal.sub, updatedAt: at } },
      audit: [
        auditEvent(now, actorOf(principal), 'evaluation_cycle.opened', 'evaluation_cycle', String(year), {
          reportDeadline: cycle.reportDeadline,
        }),
      ],
    });
    cycle = { ...cycle, status: 'open', openedAt: at, openedBy: principal.sub, version: cycle.version + 1 };
  }
  const openedAt = cycle.openedAt ?? now.toISOString();
  let cursor: string | undefined;
  let created = 0;
  let total = 0;
  const toStart: Evaluation[] = [];
  do {
    const page = await deps.platforms.listActive(50, cursor);
    cursor = page.nextCursor;
    const eligible = page.items.filter((p) => p.status === 'active' && p.recognisedAt <= openedAt);
    for (let i = 0; i < eligible.length; i += OPEN_BATCH) {
      const batch = eligible.slice(i, i + OPEN_BATCH);
      const fresh: { evaluation: Evaluation; members: readonly string[] }[] = [];
      for (const p of batch) {
        const existing = await deps.repo.get(year, p.id);
        if (existing) {
          toStart.push(existing);
          continue;
        }
        fresh.push({
          evaluation: newEvaluation(cycle, p, now),
          members: await deps.platforms.hostMembers(p.orgId),
        });
      }
      total += batch.length;
      if (!fresh.length) continue;
      now = deps.clock.now();
      const at = now.toISOString();
      await deps.repo.commit({
        create: fresh.map(({ evaluation }) => ({
          evaluation,
          due: nextReportDue(cycle.reportDeadline, now),
        })),
        notifications: fresh.flatMap(({ evaluation, members }) =>
          hostNotes(
            members,
            evaluation,
            'evaluation.report_requested',
            `请于 ${cycle.reportDeadline} 前提交 ${year} 年度自评价报告 / Submit your ${year} self-evaluation report by ${cycle.reportDeadline}`,
            at,
            { reportDeadline: cycle.reportDeadline },
          ),
        ),
        audit: fresh.map(({ evaluation }) =>
          auditEvent(now, actorOf(principal), 'evaluation.opened', EVALUATION_ENTITY, evaluation.id, {
            year,
            platformId: evaluation.platformId,
            reportDeadline: cycle.reportDeadline,
          }),
        ),
      });
      created += fresh.length;
      toStart.push(...fresh.map((f) => f.evaluation));
    }
  } while (cursor);
  for (const e of toStart) {
    try {
      const engine = await deps.workflows();
      await engine.start(ANNUAL_EVALUATION_WORKFLOW, e.executionName, {
        year: e.year,
        platformId: e.platformId,
        evaluationId: e.id,
      });
    } catch (error) {
      deps.onWorkflowError?.(error, { evaluationId: e.id, step: 'start' });
    }
  }
  return { year, status: cycle.status, openedAt, evaluations: total, created };
}

function newEvaluation(cycle: EvaluationCycle, p: Platform, now: Date): Evaluation {
  const at = now.toISOString();
  return {
    id: evaluationIdFor(cycle.year, p.id),
    year: cycle.year,
    platformId: p.id,
    orgId: p.orgId,
    hostName: p.hostName,
    status: 'awaiting_report',
    executionName: evaluationExecutionName(cycle.year, p.id),
    reportDeadline: cycle.reportDeadline,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** `GET /v1/evaluation-cycles/{year}/evaluations` (staff, observers): per platform status, score, grade. */
export async function listEvaluations(
  deps: Pick<EvaluationDeps, 'repo' | 'sharing' | 'clock'>,
  principal: Principal,
  year: number,
  query: { limit: number; cursor?: string },
): Promise<Page<Partial<Evaluation>>> {
  await cycleOf(deps, year);
  const page = await deps.repo.list(year, query.limit, query.cursor);
  await observed(deps, principal, 'listEvaluations', 'evaluation_cycle', String(year), {
    platformIds: page.items.map((e) => e.platformId),
  });
  const staff = isStaff(principal);
  return {
    items: page.items.map((e) => (staff ? e : observerView(e))),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** Art. 6(3) → Art. 12: what the voucher ledger tells the self-evaluation of a platform and year. */
export interface LedgerFigures {
  readonly enterprisesServed: number;
  readonly committedEnterprises: number;
  readonly meetsCommitment: boolean;
}

/** One evaluation as `GET …/platforms/{platformId}` shows it to the caller. */
export type EvaluationView = Partial<Evaluation> & {
  readonly ledgerFigures?: LedgerFigures;
  /** Observers only (Art. 11): the sharing scopes whose data this view leaves out for want of a valid consent. */
  readonly withheld?: readonly SharingScope[];
};

/** The self-evaluation report's content (Art. 12): the platform's business data under the `reports` scope. */
const reportContent = (e: Evaluation): Partial<Evaluation> =>
  e.report && e.reportSubmittedAt
    ? {
        report: e.report,
        reportSubmittedAt: e.reportSubmittedAt,
        ...(e.evidenceManifest ? { evidenceManifest: e.evidenceManifest } : {}),
      }
    : {};

/**
 * `GET /v1/evaluation-cycles/{year}/platforms/{platformId}`: the host's own evaluation (its report and,
 * once published, its grade), staff see everything, else 404. Observers (Art. 11) see the evaluation data
 * they always see — status and, once published, score and grade — plus, only while the data owner's
 * consent is valid today (Asia/Shanghai): the submitted report's content (scope `reports`: figures,
 * narrative, evidence manifest; never a draft) and the voucher ledger's figures (scope `vouchers`). What
 * is left out is named in `withheld`; the read is audited with the consents it used.
 * `ledger` gives the voucher ledger's figures of the platform and year (Art. 6(3) → Art. 12).
 */
export async function getEvaluation(
  deps: Pick<EvaluationDeps, 'repo' | 'platforms' | 'sharing' | 'clock'>,
  principal: Principal,
  year: number,
  platformId: string,
  ledger?: (platformId: string, year: number) => Promise<LedgerFigures>,
): Promise<EvaluationView> {
  const figures = async () => (ledger ? { ledgerFigures: await ledger(platformId, year) } : {});
  if (isStaff(principal)) return { ...(await evaluationOf(deps, year, platformId)), ...(await figures()) };
  if (principal.roles.includes('observer')) {
    const e = await evaluationOf(deps, year, platformId);
    const consents = deps.sharing ? await deps.sharing.list(platformId) : [];
    const today = shanghaiDate(deps.clock.now());
    const reports = consentCovering(consents, 'reports', today);
    const vouchers = consentCovering(consents, 'vouchers', today);
    const withheld: SharingScope[] = [
      ...(reports ? [] : ['reports' as const]),
      ...(vouchers ? [] : ['vouchers' as const]),
    ];
    const view: EvaluationView = {
      ...observerView(e),
      ...(reports ? reportContent(e) : {}),
      ...(vouchers ? await figures() : {}),
      withheld,
    };
    await observed(deps, principal, 'getEvaluation', EVALUATION_ENTITY, e.id, {
      year,
      platformId,
      shared: [
        ...(reports ? [{ scope: 'reports', consentId: reports.id }] : []),
        ...(vouchers ? [{ scope: 'vouchers', consentId: vouchers.id }] : []),
      ],
      withheld,
    });
    return view;
  }
  await hostedPlatform(deps.platforms, principal, platformId);
  const e = await evaluationOf(deps, year, platformId);
  if (e.status === 'published') return { ...e, ...(await figures()) };
  const { scores: _s, score: _sc, bandGrade: _b, grade: _g, overrideReason: _o, gradedBy: _gb, ...rest } = e;
  return { ...rest, ...(await figures()) };
}

// ————— the self-evaluation report —————

export type ReportInput = Omit<SelfEvaluationReport, 'evidenceIds'> & {
  readonly evidenceIds?: readonly string[];
};

async function hostsEvaluation(
  deps: Pick<EvaluationDeps, 'repo' | 'platforms'>,
  principal: Principal,
  year: number,
  platformId: string,
): Promise<{ platform: Platform; evaluation: Evaluation; cycle: EvaluationCycle }> {
  const platform = await hostedPlatform(deps.platforms, principal, platformId);
  const evaluation = await evaluationOf(deps, year, platformId);
  const cycle = await cycleOf(deps, year);
  return { platform, evaluation, cycle };
}

function assertReportOpen(e: Evaluation, platform: Platform, now: Date): void {
  if (e.status !== 'awaiting_report') {
    throw wrongStatus(
      e,
      'awaiting_report',
      e.status === 'overdue' ? 'REPORT_DEADLINE_PASSED' : 'REPORT_ALREADY_SUBMITTED',
    );
  }
  assertPlatformActive(platform);
  if (!reportInTime(e.reportDeadline, now)) {
    throw new ConflictError(
      'REPORT_DEADLINE_PASSED',
      `The report deadline ${e.reportDeadline} of the ${e.year} evaluation has passed.`,
      { reportDeadline: e.reportDeadline },
    );
  }
}

/**
 * `PUT /v1/evaluation-cycles/{year}/platforms/{platformId}/report` (Art. 12): a host member drafts the
 * self-evaluation report (replaced as a whole) while it awaits submission and the deadline has not passed.
 */
export async function putReport(
  deps: EvaluationDeps,
  principal: Principal,
  year: number,
  platformId: string,
  input: ReportInput,
): Promise<Evaluation> {
  const { platform, evaluation } = await hostsEvaluation(deps, principal, year, platformId);
  const now = deps.clock.now();
  assertReportOpen(evaluation, platform, now);
  const at = now.toISOString();
  const report: SelfEvaluationReport = {
    enterprisesServed: input.enterprisesServed,
    partnerCount: input.partnerCount,
    cases: input.cases,
    vouchersIssued: input.vouchersIssued,
    vouchersSettled: input.vouchersSettled,
    narrative: input.narrative,
    evidenceIds: [...new Set(input.evidenceIds ?? [])],
  };
  if (report.vouchersSettled > report.vouchersIssued) {
    throw new ValidationError('More vouchers settled than issued.', [
      { path: 'body.vouchersSettled', message: `at most vouchersIssued (${report.vouchersIssued})` },
    ]);
  }
  await deps.repo.commit({
    changes: [{ before: evaluation, set: { report, reportUpdatedAt: at, updatedAt: at } }],
    audit: [
      auditEvent(now, actorOf(principal), 'evaluation.report_saved', EVALUATION_ENTITY, evaluation.id, {
        year,
        platformId,
        report,
      }),
    ],
  });
  return { ...evaluation, report, reportUpdatedAt: at, updatedAt: at, version: evaluation.version + 1 };
}

/**
 * `POST .../report/submit` (Art. 12, 13(2)): a host member submits the drafted report at or before the
 * deadline (else 409 REPORT_DEADLINE_PASSED); its evidence must be verified (422 naming the ids); the
 * manifest is recorded; the report task completes and officers are told to grade it.
 */
export async function submitReport(
  deps: EvaluationDeps,
  principal: Principal,
  year: number,
  platformId: string,
): Promise<Evaluation> {
  const { platform, evaluation } = await hostsEvaluation(deps, principal, year, platformId);
  const now = deps.clock.now();
  assertReportOpen(evaluation, platform, now);
  if (!evaluation.report) {
    throw new ConflictError('REPORT_MISSING', 'Save the report (PUT .../report) before submitting it.');
  }
  const manifest = evaluation.report.evidenceIds.length
    ? await deps.evidence.verified(platformId, evaluation.report.evidenceIds)
    : [];
  const task = await pendingTask(deps, evaluation, EVALUATION_STATES.report);
  const at = now.toISOString();
  const set: Partial<Evaluation> = {
    status: 'report_submitted',
    reportSubmittedAt: at,
    reportSubmittedBy: principal.sub,
    evidenceManifest: manifest,
    updatedAt: at,
  };
  await deps.repo.commit({
    changes: [{ before: evaluation, set, dropDue: true }],
    ...(task ? { finishTasks: [{ task, status: 'completed' as const }] } : {}),
    notifications: [
      roleNote(
        'officer',
        evaluation,
        'evaluation.report_submitted',
        `请评分：${evaluation.hostName} ${year} 年度自评价报告 / Grade the ${year} report of ${evaluation.hostName}`,
        at,
      ),
    ],
    audit: [
      auditEvent(now, actorOf(principal), 'evaluation.report_submitted', EVALUATION_ENTITY, evaluation.id, {
        year,
        platformId,
        report: evaluation.report,
        evidenceManifest: manifest,
        ...(task ? { taskId: task.id } : {}),
      }),
    ],
  });
  if (task) await release(deps, task, { output: { submittedAt: at } });
  return { ...evaluation, ...set, version: evaluation.version + 1 };
}

// ————— grading —————

export interface GradeInput {
  readonly scores: Scores;
  readonly grade?: Grade;
  readonly overrideReason?: string;
}

/** Marks an evaluation not graded because its platform is no longer active; fails its pending step. */
async function markNotGraded(
  deps: EvaluationDeps,
  e: Evaluation,
  platform: { readonly status: string },
  actor: AuditEvent['actor'],
): Promise<boolean> {
  const tasks = (
    await Promise.all(Object.values(EVALUATION_STATES).map((s) => pendingTask(deps, e, s)))
  ).filter((t): t is HumanTask => t !== undefined);
  const now = deps.clock.now();
  const at = now.toISOString();
  const reason = `platform ${platform.status}`;
  const changed = await ignoreConflict(
    deps.repo.commit({
      changes: [
        {
          before: e,
          set: { status: 'not_graded', notGradedAt: at, notGradedReason: reason, updatedAt: at },
          dropDue: true,
        },
      ],
      finishTasks: tasks.map((task) => ({ task, status: 'failed' as const })),
      audit: [
        auditEvent(now, actor, 'evaluation.not_graded', EVALUATION_ENTITY, e.id, {
          year: e.year,
          platformId: e.platformId,
          reason,
          previousStatus: e.status,
        }),
      ],
    }),
  );
  if (changed) {
    for (const task of tasks)
      await release(deps, task, {
        error: 'PlatformRevoked',
        cause: `Platform ${e.platformId} is ${platform.status}; its ${e.year} evaluation is not graded`,
      });
  }
  return changed;
}

/**
 * `POST .../platforms/{platformId}/grade` (Art. 12): an officer scores a submitted report against the
 * cycle's criteria; the grade follows from the bands unless overridden with a reason. Re-grading is
 * allowed until the sign-off. A platform revoked or expired mid-cycle is not graded: its evaluation
 * becomes `not_graded` and the request gets 409 PLATFORM_NOT_ACTIVE.
 */
export async function gradeEvaluation(
  deps: EvaluationDeps,
  principal: Principal,
  year: number,
  platformId: string,
  input: GradeInput,
): Promise<Evaluation> {
  const cycle = await cycleOf(deps, year);
  const evaluation = await evaluationOf(deps, year, platformId);
  if (cycle.status !== 'open') throw notOpen(cycle);
  const platform = await deps.platforms.get(platformId);
  if (!platform) throw new NotFoundError('platform', platformId);
  if (platform.status !== 'active') {
    if (['awaiting_report', 'report_submitted', 'graded'].includes(evaluation.status))
      await markNotGraded(deps, evaluation, platform, actorOf(principal));
    assertPlatformActive(platform);
  }
  if (evaluation.status !== 'report_submitted' && evaluation.status !== 'graded') {
    throw wrongStatus(evaluation, 'a submitted report', 'REPORT_NOT_SUBMITTED');
  }
  const decision = decideGrade(cycle.criteria, cycle.bands, input);
  const task = await pendingTask(deps, evaluation, EVALUATION_STATES.grading);
  const now = deps.clock.now();
  const at = now.toISOString();
  const set: Partial<Evaluation> = {
    status: 'graded',
    scores: input.scores,
    score: decision.score,
    bandGrade: decision.bandGrade,
    grade: decision.grade,
    gradedBy: principal.sub,
    gradedAt: at,
    updatedAt: at,
    ...(decision.overrideReason ? { overrideReason: decision.overrideReason } : {}),
  };
  await deps.repo.commit({
    changes: [
      {
        before: evaluation,
        set,
        ...(decision.overrideReason ? {} : { remove: ['overrideReason'] as (keyof Evaluation)[] }),
      },
    ],
    ...(task ? { finishTasks: [{ task, status: 'completed' as const }] } : {}),
    notifications: [
      roleNote(
        'approver',
        evaluation,
        'evaluation.graded',
        `${year} 年度考评已评分，待签发：${evaluation.hostName} / Graded, awaiting sign-off: ${evaluation.hostName}`,
        at,
        { grade: decision.grade },
      ),
    ],
    audit: [
      auditEvent(now, actorOf(principal), 'evaluation.graded', EVALUATION_ENTITY, evaluation.id, {
        year,
        platformId,
        scores: input.scores,
        score: decision.score,
        bandGrade: decision.bandGrade,
        grade: decision.grade,
        bands: cycle.bands,
        overridden: decision.overridden,
        ...(decision.overrideReason ? { overrideReason: decision.overrideReason } : {}),
        ...(evaluation.grade ? { previousGrade: evaluation.grade } : {}),
      }),
    ],
  });
  if (task) await release(deps, task, { output: { grade: decision.grade, score: decision.score } });
  const { overrideReason: _o, ...rest } = evaluation;
  return { ...(decision.overrideReason ? evaluation : rest), ...set, version: evaluation.version + 1 };
}

// ————— sign-off —————

/** Evaluations changed per transaction at the sign-off. */
const FINALIZE_BATCH = 10;

/**
 * `POST /v1/evaluation-cycles/{year}/finalize` (Art. 12, 13(2)): the approver signs the cycle off after
 * the report deadline. Every submitted report of an active platform must be graded (else 409
 * UNGRADED_REPORTS listing them). Graded evaluations are published (observers see them), reports still
 * awaited become `overdue`, those of platforms no longer active `not_graded`; the waiting sign-off
 * steps complete. Batched, each batch one transaction; re-running after a partial failure continues.
 */
export async function finalizeCycle(
  deps: EvaluationDeps,
  principal: Principal,
  year: number,
): Promise<{ year: number; status: 'finalized'; finalizedAt: string; counts: Record<string, number> }> {
  const cycle = await cycleOf(deps, year);
  if (cycle.status !== 'open') throw notOpen(cycle);
  const start = deps.clock.now();
  if (reportInTime(cycle.reportDeadline, start)) {
    throw new ConflictError(
      'REPORT_DEADLINE_NOT_PASSED',
      `Reports of cycle ${year} may be submitted until ${cycle.reportDeadline}; sign off after that.`,
      { reportDeadline: cycle.reportDeadline },
    );
  }
  const all = await deps.repo.all(year);
  const platforms = new Map<string, Platform | undefined>();
  for (const e of all) platforms.set(e.platformId, await deps.platforms.get(e.platformId));
  const active = (e: Evaluation) => platforms.get(e.platformId)?.status === 'active';
  const ungraded = all.filter((e) => e.status === 'report_submitted' && active(e));
  if (ungraded.length) {
    throw new ConflictError(
      'UNGRADED_REPORTS',
      `Grade every submitted report before the sign-off: ${ungraded.map((e) => e.platformId).join(', ')}.`,
      { platformIds: ungraded.map((e) => e.platformId) },
    );
  }
  const finalizedAt = start.toISOString();
  const actor = actorOf(principal);
  for (const e of all) {
    const platform = platforms.get(e.platformId);
    if (!active(e) && ['awaiting_report', 'report_submitted', 'graded'].includes(e.status))
      await markNotGraded(deps, e, platform ?? { status: 'revoked' }, actor);
  }
  const current = await deps.repo.all(year);
  const todo = current.filter(
    (e) =>
      (active(e) && (e.status === 'graded' || e.status === 'awaiting_report')) ||
      ((e.status === 'overdue' || e.status === 'not_graded') && !e.finalizedAt),
  );
  for (let i = 0; i < todo.length; i += FINALIZE_BATCH) {
    const batch = todo.slice(i, i + FINALIZE_BATCH);
    const now = deps.clock.now();
    const at = now.toISOString();
    const released: { task: HumanTask; outcome: Parameters<typeof release>[2] }[] = [];
    const changes: EvaluationChange[] = [];
    const finish: { task: HumanTask; status: 'completed' | 'failed' }[] = [];
    const notifications: NotificationInput[] = [];
    const audit: AuditEvent[] = [];
    for (const e of batch) {
      const members = await deps.platforms.hostMembers(e.orgId);
      if (e.status === 'graded') {
        changes.push({
          before: e,
          set: { status: 'published', publishedAt: at, finalizedAt, updatedAt: at },
        });
        const task = await pendingTask(deps, e, EVALUATION_STATES.signOff);
        if (task) {
          finish.push({ task, status: 'completed' });
          released.push({ task, outcome: { output: { finalizedAt } } });
        }
        notifications.push(
          ...hostNotes(
            members,
            e,
            'evaluation.published',
            `${year} 年度考评结果：${e.grade} / Your ${year} evaluation grade: ${e.grade}`,
            at,
            { grade: e.grade, score: e.score },
          ),
        );
        audit.push(
          auditEvent(now, actor, 'evaluation.published', EVALUATION_ENTITY, e.id, {
            year,
            platformId: e.platformId,
            grade: e.grade,
            score: e.score,
          }),
        );
      } else if (e.status !== 'awaiting_report') {
        // Already overdue (the deadline job) or not graded: the sign-off only records that it is final.
        changes.push({ before: e, set: { finalizedAt, updatedAt: at } });
      } else {
        changes.push({
          before: e,
          set: { status: 'overdue', overdueAt: at, finalizedAt, updatedAt: at },
          dropDue: true,
        });
        const task = await pendingTask(deps, e, EVALUATION_STATES.report);
        if (task) {
          finish.push({ task, status: 'failed' });
          released.push({
            task,
            outcome: { error: 'ReportOverdue', cause: `No ${year} report by ${e.reportDeadline}` },
          });
        }
        notifications.push(...overdueNotes(members, e, at));
        audit.push(
          auditEvent(now, actor, 'evaluation.overdue', EVALUATION_ENTITY, e.id, {
            year,
            platformId: e.platformId,
            reportDeadline: e.reportDeadline,
          }),
        );
      }
    }
    await deps.repo.commit({ changes, finishTasks: finish, notifications, audit });
    for (const r of released) await release(deps, r.task, r.outcome);
  }
  const now = deps.clock.now();
  const after = await deps.repo.all(year);
  const counts: Record<string, number> = {};
  for (const e of after) counts[e.status] = (counts[e.status] ?? 0) + 1;
  await deps.repo.commit({
    cycle: {
      before: cycle,
      set: { status: 'finalized', finalizedAt, finalizedBy: principal.sub, updatedAt: now.toISOString() },
    },
    notifications: [
      {
        recipient: { role: 'officer' },
        event: 'evaluation_cycle.finalized',
        entityType: 'evaluation_cycle',
        entityId: String(year),
        title: `${year} 年度考评结果已发布 / The ${year} evaluation grades are published`,
        detail: { year, counts },
        at: now.toISOString(),
      },
    ],
    audit: [
      auditEvent(now, actor, 'evaluation_cycle.finalized', 'evaluation_cycle', String(year), { counts }),
    ],
  });
  return { year, status: 'finalized', finalizedAt, counts };
}

const overdueNotes = (members: readonly string[], e: Evaluation, at: string): NotificationInput[] => [
  ...hostNotes(
    members,
    e,
    'evaluation.report_overdue',
    `${e.year} 年度自评价报告逾期未交 / Your ${e.year} self-evaluation report is overdue`,
    at,
    { reportDeadline: e.reportDeadline },
  ),
  roleNote(
    'officer',
    e,
    'evaluation.report_overdue',
    `${e.hostName} ${e.year} 年度自评价报告逾期 / Overdue ${e.year} report: ${e.hostName}`,
    at,
    { reportDeadline: e.reportDeadline },
  ),
];

// ————— deadlines (functions/jobs/deadlines.ts) —————

/**
 * Deadline action `report-reminder` (Art. 12): 7 days and 1 day before the deadline, the hosts of an
 * evaluation still awaiting its report are reminded, and the entry moves to the next deadline point —
 * conditional on the exact `dueSk` read, so a second run at the same instant changes nothing.
 */
export function reportReminderAction(deps: EvaluationDeps): (entry: DueItem, now: Date) => Promise<boolean> {
  const overdue = reportOverdueAction(deps);
  return async (entry, now) => {
    const item = entry.item as unknown as Evaluation;
    const e = await deps.repo.get(item.year, item.platformId);
    if (!e) return false;
    // A reminder the job reaches only after the deadline is pointless: mark the report overdue instead.
    if (e.status === 'awaiting_report' && !reportInTime(e.reportDeadline, now)) return overdue(entry, now);
    if (e.status !== 'awaiting_report') {
      await ignoreConflict(
        deps.repo.commit({ changes: [{ before: e, set: {}, dropDue: { ifDueSk: entry.dueSk } }], audit: [] }),
      );
      return false;
    }
    const members = await deps.platforms.hostMembers(e.orgId);
    const at = now.toISOString();
    const daysLeft = Math.ceil((Date.parse(e.reportDeadline) - now.getTime()) / DAY_MS);
    return ignoreConflict(
      deps.repo.commit({
        changes: [
          {
            before: e,
            set: { updatedAt: at },
            due: nextReportDue(e.reportDeadline, now),
            dropDue: { ifDueSk: entry.dueSk },
          },
        ],
        notifications: hostNotes(
          members,
          e,
          'evaluation.report_reminder',
          `${e.year} 年度自评价报告将于 ${e.reportDeadline} 截止 / Your ${e.year} report is due by ${e.reportDeadline}`,
          at,
          { reportDeadline: e.reportDeadline, daysLeft },
          entry.dueSk.slice(0, 24),
        ),
        audit: [
          auditEvent(now, SYSTEM_ACTOR, 'evaluation.report_reminded', EVALUATION_ENTITY, e.id, {
            year: e.year,
            platformId: e.platformId,
            reportDeadline: e.reportDeadline,
            daysLeft,
          }),
        ],
      }),
    );
  };
}

/**
 * Deadline action `report-overdue` (Art. 12, 13(2)): just after the deadline, an evaluation still
 * awaiting its report becomes `overdue` (or `not_graded` when its platform is no longer active) in ONE
 * transaction with its report task failed, the entry dropped (only if still the one read), the hosts
 * and officers told; then the waiting step fails with `ReportOverdue`. Running twice changes nothing.
 */
export function reportOverdueAction(deps: EvaluationDeps): (entry: DueItem, now: Date) => Promise<boolean> {
  return async (entry, now) => {
    const item = entry.item as unknown as Evaluation;
    const e = await deps.repo.get(item.year, item.platformId);
    if (!e) return false;
    if (e.status !== 'awaiting_report' || reportInTime(e.reportDeadline, now)) {
      if (e.status !== 'awaiting_report')
        await ignoreConflict(
          deps.repo.commit({
            changes: [{ before: e, set: {}, dropDue: { ifDueSk: entry.dueSk } }],
            audit: [],
          }),
        );
      return false;
    }
    const platform = await deps.platforms.get(e.platformId);
    if (platform && platform.status !== 'active') return markNotGraded(deps, e, platform, SYSTEM_ACTOR);
    const task = await pendingTask(deps, e, EVALUATION_STATES.report);
    const members = await deps.platforms.hostMembers(e.orgId);
    const at = now.toISOString();
    const committed = await ignoreConflict(
      deps.repo.commit({
        changes: [
          {
            before: e,
            set: { status: 'overdue', overdueAt: at, updatedAt: at },
            dropDue: { ifDueSk: entry.dueSk },
          },
        ],
        ...(task ? { finishTasks: [{ task, status: 'failed' as const }] } : {}),
        notifications: overdueNotes(members, e, at),
        audit: [
          auditEvent(now, SYSTEM_ACTOR, 'evaluation.overdue', EVALUATION_ENTITY, e.id, {
            year: e.year,
            platformId: e.platformId,
            reportDeadline: e.reportDeadline,
            ...(task ? { taskId: task.id } : {}),
          }),
        ],
      }),
    );
    if (committed && task)
      await release(deps, task, {
        error: 'ReportOverdue',
        cause: `No ${e.year} self-evaluation report of platform ${e.platformId} by ${e.reportDeadline}`,
      });
    return committed;
  };
}

// ————— workflow steps (functions/workflow/annual-evaluation.ts) —————

const stepError = (name: string, message: string): Error => {
  const error = new Error(message);
  error.name = name;
  return error;
};

export interface OpenEvaluationStepInput {
  readonly kind: 'evaluation_report' | 'evaluation_grading' | 'evaluation_signoff';
  readonly year: number;
  readonly platformId: string;
  readonly evaluationId: string;
  readonly executionName: string;
  readonly stateName: string;
  readonly taskToken: string;
}

/**
 * The `openHumanTask` step of the annual evaluation: records the waiting step (the report: the host
 * members, due at the report deadline; grading: officers; sign-off: system-held, completed by the
 * approver's finalize). When the decision the step waits for has already been made (the report was
 * submitted, the grade given, the cycle signed off before the step opened), it completes the step
 * at once; an overdue or not-graded evaluation ends the workflow (`ReportOverdue`, `PlatformRevoked`).
 * Idempotent.
 */
export async function openEvaluationStep(
  deps: EvaluationDeps,
  input: OpenEvaluationStepInput,
): Promise<{ taskId: string; created: boolean; completed: boolean }> {
  const e = await evaluationOf(deps, input.year, input.platformId);
  if (e.status === 'not_graded')
    throw stepError('PlatformRevoked', `Platform ${e.platformId} is not graded for ${e.year}`);
  if (e.status === 'overdue')
    throw stepError('ReportOverdue', `The ${e.year} report of ${e.platformId} is overdue`);
  const assigneeSubs =
    input.kind === 'evaluation_report' ? [...(await deps.platforms.hostMembers(e.orgId))] : undefined;
  const { created, task } = await openHumanTask(
    { tasks: deps.tasks, clock: deps.clock, dueDays: 30 },
    {
      kind: input.kind,
      executionName: input.executionName,
      stateName: input.stateName,
      taskToken: input.taskToken,
      payload: { evaluationId: input.evaluationId, year: input.year, platformId: input.platformId },
      ...(assigneeSubs ? { assigneeSubs } : {}),
      ...(input.kind === 'evaluation_report' ? { dueAt: e.reportDeadline } : {}),
    },
  );
  const done =
    (input.kind === 'evaluation_report' && e.status !== 'awaiting_report') ||
    (input.kind === 'evaluation_grading' && (e.status === 'graded' || e.status === 'published')) ||
    (input.kind === 'evaluation_signoff' && e.status === 'published');
  if (!done || task.status !== 'pending') return { taskId: task.id, created, completed: false };
  const now = deps.clock.now();
  const finished = await deps.tasks.finish(
    task,
    'completed',
    now.toISOString(),
    auditEvent(now, SYSTEM_ACTOR, 'task.completed', 'task', task.id, {
      reason: `evaluation already ${e.status}`,
      evaluationId: e.id,
    }),
  );
  if (finished) await release(deps, task, { output: { status: e.status } });
  return { taskId: task.id, created, completed: finished };
}

/** `Publish`: after the sign-off the evaluation is `published` (the finalize normally did it). Idempotent. */
export async function ensurePublished(
  deps: EvaluationDeps,
  year: number,
  platformId: string,
): Promise<{ published: boolean }> {
  const e = await evaluationOf(deps, year, platformId);
  if (e.status === 'published') return { published: false };
  const cycle = await cycleOf(deps, year);
  if (e.status !== 'graded' || cycle.status !== 'finalized')
    throw new ConflictError('WRONG_STAGE', `Evaluation ${e.id} is ${e.status}; cannot publish.`);
  const now = deps.clock.now();
  const at = now.toISOString();
  const changed = await ignoreConflict(
    deps.repo.commit({
      changes: [
        {
          before: e,
          set: { status: 'published', publishedAt: at, finalizedAt: cycle.finalizedAt ?? at, updatedAt: at },
        },
      ],
      audit: [
        auditEvent(now, SYSTEM_ACTOR, 'evaluation.published', EVALUATION_ENTITY, e.id, {
          year,
          platformId,
          grade: e.grade,
        }),
      ],
    }),
  );
  return { published: changed };
}

/** `MarkOverdue` / `MarkNotGraded`: the evaluation reached that status (normally done already). Idempotent. */
export async function ensureEnded(
  deps: EvaluationDeps,
  year: number,
  platformId: string,
  target: 'overdue' | 'not_graded',
): Promise<{ changed: boolean; status: EvaluationStatus }> {
  const e = await evaluationOf(deps, year, platformId);
  if (e.status === target || e.status === 'published') return { changed: false, status: e.status };
  if (target === 'not_graded') {
    const platform = (await deps.platforms.get(platformId)) ?? { status: 'revoked' as const };
    const changed = await markNotGraded(deps, e, platform, SYSTEM_ACTOR);
    return { changed, status: changed ? 'not_graded' : e.status };
  }
  if (e.status !== 'awaiting_report') return { changed: false, status: e.status };
  const now = deps.clock.now();
  const at = now.toISOString();
  const changed = await ignoreConflict(
    deps.repo.commit({
      changes: [{ before: e, set: { status: 'overdue', overdueAt: at, updatedAt: at }, dropDue: true }],
      audit: [
        auditEvent(now, SYSTEM_ACTOR, 'evaluation.overdue', EVALUATION_ENTITY, e.id, {
          year,
          platformId,
          reportDeadline: e.reportDeadline,
        }),
      ],
    }),
  );
  return { changed, status: changed ? 'overdue' : e.status };
}

/** `RecordFailure`: the evaluation workflow failed; recorded on the evaluation (visible to staff), officers told. */
export async function recordEvaluationFailure(
  deps: EvaluationDeps,
  year: number,
  platformId: string,
  error: unknown,
): Promise<{ recorded: boolean }> {
  const e = await evaluationOf(deps, year, platformId);
  if (e.workflowError) return { recorded: false };
  const now = deps.clock.now();
  const at = now.toISOString();
  const recorded = await ignoreConflict(
    deps.repo.commit({
      changes: [{ before: e, set: { workflowError: { at, detail: error ?? null }, updatedAt: at } }],
      notifications: [
        roleNote(
          'officer',
          e,
          'evaluation.workflow_failed',
          `年度考评流程异常：${e.hostName} / The evaluation workflow failed: ${e.hostName}`,
          at,
        ),
      ],
      audit: [
        auditEvent(now, SYSTEM_ACTOR, 'evaluation.workflow_failed', EVALUATION_ENTITY, e.id, {
          year,
          platformId,
          error: error ?? null,
        }),
      ],
    }),
  );
  return { recorded };
}

/** `gradesOf` for other modules (Art. 13(1)–(2) candidates, exports), through the repo. */
export const gradesOf = (deps: Pick<EvaluationDeps, 'repo'>, platformId: string): Promise<GradeRecord[]> =>
  deps.repo.gradesOf(platformId);

// ————— report evidence (E's platform evidence, Art. 12) —————

/** E's platform evidence use cases, bound to their deps by the handler. */
export interface ReportEvidencePort {
  create(
    principal: Principal,
    platformId: string,
    input: { kind: string; fileName: string; contentType: string; sizeBytes: number; sha256: string },
    idempotency?: IdempotencyContext,
  ): Promise<{ status: 201; body: unknown }>;
  confirm(principal: Principal, platformId: string, evidenceId: string): Promise<unknown>;
}

/**
 * `POST .../report/evidence` (Art. 12): a host member declares one evidence file of the report while
 * it can still be submitted → a presigned POST, exactly like application evidence (stored as platform
 * evidence; reference its id in the report's `evidenceIds`).
 */
export async function createReportEvidence(
  deps: Pick<EvaluationDeps, 'repo' | 'platforms' | 'clock'>,
  evidence: ReportEvidencePort,
  principal: Principal,
  year: number,
  platformId: string,
  input: { kind: string; fileName: string; contentType: string; sizeBytes: number; sha256: string },
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: unknown }> {
  const { platform, evaluation } = await hostsEvaluation(deps, principal, year, platformId);
  assertReportOpen(evaluation, platform, deps.clock.now());
  return evidence.create(principal, platformId, input, idempotency);
}

/** `POST .../report/evidence/{evidenceId}/confirm`: the server-side checks of the uploaded file (Art. 12). */
export async function confirmReportEvidence(
  deps: Pick<EvaluationDeps, 'repo' | 'platforms'>,
  evidence: ReportEvidencePort,
  principal: Principal,
  year: number,
  platformId: string,
  evidenceId: string,
): Promise<unknown> {
  await hostsEvaluation(deps, principal, year, platformId);
  return evidence.confirm(principal, platformId, evidenceId);
}
