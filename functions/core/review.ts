import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal } from '../shared/roles.ts';
import { type Application, type EvidenceManifestEntry, REVIEW_WORKFLOW } from './applications.ts';
import { type AuditEvent, actorOf, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import type { Call } from './calls.ts';
import type { DueItem } from './deadlines.ts';
import { type Conflict, conflictsOf, type Expert, type ExpertRepo } from './experts.ts';
import { type HumanTask, type HumanTaskRepo, openHumanTask, taskId, taskSubject } from './human-tasks.ts';
import type { NotificationInput } from './notifications.ts';
import type { Clock, WorkflowCallSubject, Workflows } from './ports.ts';
import { type RankedEntry, rank, type Scores, scoreProblems } from './ranking.ts';
import { type ApplicationStatus, reviewExecutionName } from './recognition-model.ts';

/**
 * The review of Chapter 3 (Art. 8(2)–(4)): preliminary review, expert assignment with conflict-of-interest
 * checks, expert scoring, site inspection, merit ranking, the proposed list and its approval, which
 * opens the public notice. Every decision is applied to the registry in ONE transaction with its audit
 * event (who, when, opinion, the evidence manifest) and the notifications of whoever must act next;
 * THEN the waiting workflow step is completed with its task token.
 */

// ————— domain —————

/** The review's own fields on an application (beside the applicant's). */
export interface ReviewFields {
  readonly preliminaryReview?: {
    readonly decision: PreliminaryDecision;
    readonly opinion: string;
    readonly decidedBy: string;
    readonly decidedAt: string;
    readonly supplementDeadline?: string;
  };
  readonly reviewFinalisedAt?: string;
  readonly reviewOutcome?: string;
  readonly reviewError?: { readonly kind: string; readonly stateName?: string; readonly at: string };
  /** How many times staff restarted the review after it failed (execution `app-<id>-r<n>`). */
  readonly reviewRun?: number;
}
export type ReviewedApplication = Application & ReviewFields;

export type PreliminaryDecision = 'pass' | 'return' | 'reject';

export interface Assignment {
  readonly applicationId: string;
  readonly callId: string;
  readonly expertId: string;
  readonly expertSub: string;
  readonly expertName: string;
  readonly assignedAt: string;
  readonly assignedBy: string;
}

export interface ExpertReview {
  readonly applicationId: string;
  readonly callId: string;
  readonly expertId: string;
  readonly expertSub: string;
  readonly conflictOfInterest: boolean;
  readonly scores?: Scores;
  readonly comment: string;
  readonly submittedAt: string;
}

export interface Inspection {
  readonly applicationId: string;
  readonly callId: string;
  readonly inspectedAt: string;
  readonly findings: string;
  readonly passed: boolean;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

export type ListStatus = 'proposed' | 'approved' | 'rejected';

export interface ProposedList {
  readonly callId: string;
  readonly applicationIds: readonly string[];
  readonly status: ListStatus;
  readonly proposedBy: string;
  readonly proposedAt: string;
  readonly decision?: 'approve' | 'reject';
  readonly opinion?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly noticeId?: string;
  readonly version: number;
}

/** Statuses shown in the ranking: awaiting it and every later stage (Art. 8(3)–(4)). */
export const RANKED_STATUSES: readonly ApplicationStatus[] = [
  'awaiting_ranking',
  'proposed',
  'on_notice',
  'recognised',
  'not_recognised',
];

/** Longest proposed list: one approval is one transaction (list, notice, applications, audit). */
export const MAX_LIST_SIZE = 25;
/** Fallback days until a review step is due (each review task kind sets its own). */
export const REVIEW_DUE_DAYS = 10;
/** Longest supplement period an officer may grant (the workflow's supplement wait outlasts it). */
export const MAX_SUPPLEMENT_DAYS = 60;
/** Most experts on one application (initial assignment plus replacements). */
export const MAX_EXPERTS_PER_APPLICATION = 15;

// ————— ports —————

/** An application's status change inside a review transaction. */
export interface AppChange {
  readonly before: Application;
  readonly status: ApplicationStatus;
  readonly set?: Record<string, unknown>;
  readonly remove?: readonly string[];
  /** Puts the application in the due index at this instant with this type (replacing any entry). */
  readonly due?: { readonly at: string; readonly type: string };
  /** Drops the application's due entry; with a value, only if the entry is still exactly that. */
  readonly dropDue?: true | { readonly ifDueSk: string };
}

/**
 * One review transaction. `Op` is the adapter's operation type: the notice plan's operations (A's
 * `planNotice`) travel through the core untouched.
 */
export interface ReviewWrite<Op = never> {
  readonly apps?: readonly AppChange[];
  readonly finishTask?: { readonly task: HumanTask; readonly status: 'completed' | 'failed' | 'timed_out' };
  /** Named people to add to a pending task (a replacement expert). */
  readonly addAssignees?: { readonly task: HumanTask; readonly subs: readonly string[] };
  readonly assignments?: readonly Assignment[];
  readonly review?: ExpertReview;
  readonly inspection?: Inspection;
  readonly list?: { readonly next: ProposedList; readonly previousVersion?: number };
  readonly failureRecord?: { readonly executionName: string; readonly detail: Record<string, unknown> };
  readonly extraOps?: readonly Op[];
  readonly notifications?: readonly NotificationInput[];
  readonly audit: readonly AuditEvent[];
  readonly idempotency?: IdempotencyWrite;
}

export interface ReviewRepo<Op = never> {
  commit(write: ReviewWrite<Op>): Promise<void>;
  assignments(applicationId: string): Promise<Assignment[]>;
  reviews(applicationId: string): Promise<ExpertReview[]>;
  inspection(applicationId: string): Promise<Inspection | undefined>;
  list(callId: string): Promise<ProposedList | undefined>;
}

export interface ReviewApps {
  get(id: string): Promise<Application | undefined>;
  listByCall(
    callId: string,
    opts: { status?: ApplicationStatus; limit: number; cursor?: string },
  ): Promise<{ items: Application[]; nextCursor?: string }>;
}

export interface ReviewWorkflows extends Workflows {
  sendTaskFailure(
    taskToken: string,
    error: string,
    cause: string,
    about?: WorkflowCallSubject,
  ): Promise<void>;
}

/** A's `planNotice`, bound to its calendar: the notice and the operations that create it. */
export type NoticePlanner<Op> = (input: {
  readonly call: Call;
  readonly applications: readonly Application[];
  readonly now: Date;
  readonly approver: Principal;
}) => Promise<{
  readonly notice: { readonly id: string; readonly startsAt: string; readonly endsAt: string };
  readonly ops: readonly Op[];
  readonly audit: readonly AuditEvent[];
}>;

export interface ReviewDeps<Op = never> {
  readonly repo: ReviewRepo<Op>;
  readonly apps: ReviewApps;
  readonly calls: { get(id: string): Promise<Call | undefined> };
  readonly experts: Pick<ExpertRepo, 'get' | 'getByUser'>;
  readonly tasks: Pick<HumanTaskRepo, 'current' | 'get' | 'open'>;
  readonly evidence: { manifest(applicationId: string): Promise<EvidenceManifestEntry[]> };
  readonly workflows: () => Promise<ReviewWorkflows>;
  readonly planNotice: NoticePlanner<Op>;
  readonly clock: Clock;
  /** Fallback days until a review task is due (kinds set their own). */
  readonly dueDays: number;
  readonly onWorkflowError?: (error: unknown, context: Record<string, unknown>) => void;
}

// ————— helpers —————

const wrongStage = (app: Application, expected: string): ConflictError =>
  new ConflictError(
    'WRONG_STAGE',
    `Application ${app.id} is ${app.status}; this step needs it to be ${expected}.`,
    { status: app.status },
  );

async function reviewed(deps: Pick<ReviewDeps<unknown>, 'apps'>, id: string): Promise<ReviewedApplication> {
  const app = await deps.apps.get(id);
  if (!app) throw new NotFoundError('application', id);
  return app as ReviewedApplication;
}

async function pendingTaskOf(
  deps: Pick<ReviewDeps<unknown>, 'tasks'>,
  app: Application,
  kinds: readonly string[],
): Promise<HumanTask> {
  const task = await deps.tasks.current('application', app.id);
  if (task?.status !== 'pending' || !kinds.includes(task.kind)) {
    throw new ConflictError(
      'NOT_PENDING',
      `The ${kinds.join(' / ')} step of application ${app.id} is not open (yet, or any more); try again shortly.`,
    );
  }
  return task;
}

const owner = (app: Application): { sub: string } => ({ sub: app.ownerSub });

function note(
  recipient: NotificationInput['recipient'],
  event: string,
  app: Application,
  title: string,
  at: string,
  detail: Record<string, unknown> = {},
  dedupeKey?: string,
): NotificationInput {
  return {
    recipient,
    event,
    entityType: 'application',
    entityId: app.id,
    title,
    detail: { callId: app.callId, applicationId: app.id, ...detail },
    at,
    ...(dedupeKey ? { dedupeKey } : {}),
  };
}

async function complete(
  deps: Pick<ReviewDeps<unknown>, 'workflows' | 'onWorkflowError'>,
  task: HumanTask,
  output: Record<string, unknown>,
): Promise<void> {
  try {
    const engine = await deps.workflows();
    await engine.sendTaskSuccess(task.token, output, taskSubject(task));
  } catch (error) {
    deps.onWorkflowError?.(error, { taskId: task.id, entityId: task.entityId, step: 'sendTaskSuccess' });
  }
}

// ————— preliminary review (Art. 8(2)) —————

export interface PreliminaryInput {
  readonly decision: PreliminaryDecision;
  readonly opinion: string;
  readonly supplementDeadline?: string;
}

/**
 * `POST /v1/applications/{id}/preliminary-review` (Art. 8(2)): authenticity, accuracy, conformity.
 * `pass` → `expert_review` (officers told to assign experts); `return` → `returned` with a supplement
 * deadline in the future (at most `maxSupplementDays` ahead) and a `supplement-deadline` due entry;
 * `reject` → `rejected`. The audit event carries the opinion, the evidence manifest and the Art. 9
 * findings including `manualVerification`. Two officers deciding at once: one wins, the other gets 409.
 */
export async function decidePreliminaryReview<Op>(
  deps: ReviewDeps<Op>,
  principal: Principal,
  id: string,
  input: PreliminaryInput,
): Promise<ReviewedApplication> {
  const app = await reviewed(deps, id);
  const now = deps.clock.now();
  const at = now.toISOString();
  let deadline: string | undefined;
  if (input.decision === 'return') {
    if (!input.supplementDeadline) {
      throw new ValidationError('Returning an application needs a supplementDeadline.', [
        { path: 'body.supplementDeadline', message: 'required when decision is return' },
      ]);
    }
    const ms = Date.parse(input.supplementDeadline);
    if (ms <= now.getTime()) {
      throw new ValidationError('The supplement deadline must be in the future.', [
        { path: 'body.supplementDeadline', message: `must be after ${at}` },
      ]);
    }
    if (ms > now.getTime() + MAX_SUPPLEMENT_DAYS * 86_400_000) {
      throw new ValidationError(`The supplement deadline may be at most ${MAX_SUPPLEMENT_DAYS} days ahead.`, [
        { path: 'body.supplementDeadline', message: `at most ${MAX_SUPPLEMENT_DAYS} days from now` },
      ]);
    }
    deadline = new Date(ms).toISOString();
  } else if (input.supplementDeadline) {
    throw new ValidationError('A supplementDeadline belongs only to decision return.', [
      { path: 'body.supplementDeadline', message: 'only with decision return' },
    ]);
  }
  if (app.status !== 'preliminary_review') throw wrongStage(app, 'preliminary_review');
  const task = await pendingTaskOf(deps, app, ['preliminary_review']);
  const manifest = await deps.evidence.manifest(id);
  const status: ApplicationStatus =
    input.decision === 'pass' ? 'expert_review' : input.decision === 'return' ? 'returned' : 'rejected';
  const preliminaryReview = {
    decision: input.decision,
    opinion: input.opinion,
    decidedBy: principal.sub,
    decidedAt: at,
    ...(deadline ? { supplementDeadline: deadline } : {}),
  };
  const titles: Record<PreliminaryDecision, string> = {
    pass: `申报已通过初审 / Your application passed the preliminary review`,
    return: `申报材料需补正，请于 ${deadline} 前重新提交 / Supplement your application and resubmit before ${deadline}`,
    reject: `申报未通过初审 / Your application was rejected at the preliminary review`,
  };
  const notifications: NotificationInput[] = [
    note(
      owner(app),
      `application.preliminary_${input.decision}`,
      app,
      titles[input.decision],
      at,
      {
        opinion: input.opinion,
        ...(deadline ? { supplementDeadline: deadline } : {}),
      },
      `application.preliminary_${input.decision}#${id}#${task.id}`,
    ),
  ];
  if (input.decision === 'pass') {
    notifications.push(
      note(
        { role: 'officer' },
        'application.awaits_experts',
        app,
        `请为申报指派评审专家：${app.orgName} / Assign experts: ${app.orgName}`,
        at,
      ),
    );
  }
  await deps.repo.commit({
    apps: [
      {
        before: app,
        status,
        set: {
          preliminaryReview,
          updatedAt: at,
          ...(deadline ? { supplementDeadline: deadline } : {}),
        },
        ...(deadline ? { due: { at: deadline, type: SUPPLEMENT_DEADLINE } } : {}),
      },
    ],
    finishTask: { task, status: 'completed' },
    notifications,
    audit: [
      auditEvent(now, actorOf(principal), 'application.preliminary_reviewed', 'application', id, {
        decision: input.decision,
        opinion: input.opinion,
        ...(deadline ? { supplementDeadline: deadline } : {}),
        evidenceManifest: manifest,
        eligibility: app.eligibility,
        taskId: task.id,
      }),
    ],
  });
  await complete(deps, task, {
    decision: input.decision,
    opinion: input.opinion,
    decidedBy: principal.sub,
    ...(deadline ? { supplementDeadline: deadline } : {}),
  });
  return {
    ...app,
    status,
    preliminaryReview,
    ...(deadline ? { supplementDeadline: deadline } : {}),
    updatedAt: at,
    version: app.version + 1,
  };
}

// ————— experts (Art. 8(3)) —————

/**
 * `POST /v1/applications/{id}/experts` (Art. 8(3), 9(2)): assigns experts to an application in
 * `expert_review`, completing the `expert_assignment` step — or, while the experts review, adds
 * replacements (e.g. after a declared conflict). 409 CONFLICT_OF_INTEREST naming the expert and the
 * party when an expert's employer is the applicant, a consortium member or a partner.
 */
export async function assignExperts<Op>(
  deps: ReviewDeps<Op>,
  principal: Principal,
  id: string,
  input: { readonly expertIds: readonly string[] },
): Promise<{ applicationId: string; assignments: Assignment[] }> {
  const app = await reviewed(deps, id);
  const experts: Expert[] = [];
  const unknown: { path: string; message: string }[] = [];
  for (const [i, expertId] of input.expertIds.entries()) {
    const expert = await deps.experts.get(expertId);
    if (expert) experts.push(expert);
    else unknown.push({ path: `body.expertIds.${i}`, message: `no expert with id ${expertId}` });
  }
  if (unknown.length)
    throw new ValidationError('Unknown experts: register them first.', unknown, 'UNKNOWN_EXPERT');
  if (app.status !== 'expert_review') throw wrongStage(app, 'expert_review');
  const task = await pendingTaskOf(deps, app, ['expert_assignment', 'expert_review']);
  const conflicts: Conflict[] = experts.flatMap((e) => conflictsOf(e, app));
  if (conflicts.length) {
    throw new ConflictError(
      'CONFLICT_OF_INTEREST',
      conflicts
        .map(
          (c) =>
            `Expert ${c.expertName} (${c.expertId}) works for ${c.partyName}, the ${c.party.replace('_', ' ')} (${c.uscc}).`,
        )
        .join(' '),
      { conflicts },
    );
  }
  const existing = await deps.repo.assignments(id);
  const again = experts.filter((e) => existing.some((a) => a.expertId === e.id));
  if (again.length) {
    throw new ConflictError(
      'ALREADY_ASSIGNED',
      `Already assigned to application ${id}: ${again.map((e) => `${e.name} (${e.id})`).join(', ')}.`,
    );
  }
  if (existing.length + experts.length > MAX_EXPERTS_PER_APPLICATION) {
    throw new ConflictError(
      'TOO_MANY_EXPERTS',
      `An application has at most ${MAX_EXPERTS_PER_APPLICATION} experts (it has ${existing.length}).`,
    );
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const assignments: Assignment[] = experts.map((e) => ({
    applicationId: id,
    callId: app.callId,
    expertId: e.id,
    expertSub: e.userId,
    expertName: e.name,
    assignedAt: at,
    assignedBy: principal.sub,
  }));
  const initial = task.kind === 'expert_assignment';
  await deps.repo.commit({
    apps: [{ before: app, status: 'expert_review', set: { updatedAt: at } }],
    ...(initial
      ? { finishTask: { task, status: 'completed' as const } }
      : { addAssignees: { task, subs: assignments.map((a) => a.expertSub) } }),
    assignments,
    notifications: assignments.map((a) =>
      note(
        { sub: a.expertSub },
        'application.expert_assigned',
        app,
        `请评审申报：${app.orgName} / Please review the application of ${app.orgName}`,
        at,
        { expertId: a.expertId },
        `application.expert_assigned#${id}#${a.expertId}`,
      ),
    ),
    audit: [
      auditEvent(now, actorOf(principal), 'application.experts_assigned', 'application', id, {
        expertIds: assignments.map((a) => a.expertId),
        replacement: !initial,
        conflictCheck: { checked: experts.length, conflicts: 0 },
        taskId: task.id,
      }),
    ],
  });
  if (initial) await complete(deps, task, { expertIds: assignments.map((a) => a.expertId) });
  return { applicationId: id, assignments: [...existing, ...assignments] };
}

export interface ReviewInput {
  readonly conflictOfInterest: boolean;
  readonly scores?: Scores;
  readonly comment: string;
}

/**
 * `POST /v1/applications/{id}/reviews` (Art. 8(3)): an assigned expert (anyone else: 404) declares no
 * conflict and scores every criterion of the call (0 ≤ score ≤ max; 400 naming the criterion), or
 * declares a conflict (no scores; officers are told to assign a replacement). One review per expert
 * (409 ALREADY_REVIEWED). When every assigned expert has answered and at least one has scored, the
 * `expert_review` step is completed and the application moves to `site_inspection`.
 */
export async function submitReview<Op>(
  deps: ReviewDeps<Op>,
  principal: Principal,
  id: string,
  input: ReviewInput,
): Promise<ExpertReview> {
  const expert = await deps.experts.getByUser(principal.sub);
  const assignment = expert
    ? (await deps.repo.assignments(id)).find((a) => a.expertId === expert.id)
    : undefined;
  if (!expert || !assignment) throw new NotFoundError('application', id);
  const app = await reviewed(deps, id);
  const call = await deps.calls.get(app.callId);
  if (!call) throw new NotFoundError('call', app.callId);
  if (input.conflictOfInterest) {
    if (input.scores && Object.keys(input.scores).length) {
      throw new ValidationError('An expert who declares a conflict of interest does not score.', [
        { path: 'body.scores', message: 'omit scores when conflictOfInterest is true' },
      ]);
    }
  } else {
    const problems = scoreProblems(call.scoringCriteria, input.scores ?? {});
    if (problems.length) {
      throw new ValidationError(
        `Scores do not match the call's criteria: ${problems.map((p) => `${p.path.replace('body.scores.', '')}: ${p.message}`).join('; ')}.`,
        problems,
      );
    }
  }
  if (app.status !== 'expert_review') throw wrongStage(app, 'expert_review');
  const now = deps.clock.now();
  const at = now.toISOString();
  const review: ExpertReview = {
    applicationId: id,
    callId: app.callId,
    expertId: expert.id,
    expertSub: principal.sub,
    conflictOfInterest: input.conflictOfInterest,
    ...(input.conflictOfInterest ? {} : { scores: input.scores ?? {} }),
    comment: input.comment,
    submittedAt: at,
  };
  const manifest = await deps.evidence.manifest(id);
  await deps.repo.commit({
    review,
    notifications: input.conflictOfInterest
      ? [
          note(
            { role: 'officer' },
            'application.expert_conflict_declared',
            app,
            `专家申报利益冲突，请改派：${app.orgName} / An expert declared a conflict of interest; assign a replacement: ${app.orgName}`,
            at,
            { expertId: expert.id },
            `application.expert_conflict_declared#${id}#${expert.id}`,
          ),
        ]
      : [],
    audit: [
      auditEvent(
        now,
        actorOf(principal),
        input.conflictOfInterest ? 'application.expert_conflict_declared' : 'application.expert_reviewed',
        'application',
        id,
        {
          expertId: expert.id,
          conflictOfInterest: input.conflictOfInterest,
          ...(review.scores ? { scores: review.scores } : {}),
          comment: input.comment,
          evidenceManifest: manifest,
        },
      ),
    ],
  });
  await completeExpertReviewIfDone(deps, id);
  return review;
}

/**
 * Completes the `expert_review` step once every assigned expert has answered and at least one has
 * scored (Art. 8(3)). Safe to call from several places at once (the last two experts, the step
 * opening late): the task's pending condition lets one of them through. Returns whether it completed.
 */
export async function completeExpertReviewIfDone<Op>(deps: ReviewDeps<Op>, id: string): Promise<boolean> {
  const app = await reviewed(deps, id);
  if (app.status !== 'expert_review') return false;
  const task = await deps.tasks.current('application', id);
  if (task?.status !== 'pending' || task.kind !== 'expert_review') return false;
  const [assignments, reviews] = await Promise.all([deps.repo.assignments(id), deps.repo.reviews(id)]);
  const answered = new Set(reviews.map((r) => r.expertId));
  const scored = reviews.filter((r) => !r.conflictOfInterest);
  if (!assignments.length || !assignments.every((a) => answered.has(a.expertId)) || !scored.length)
    return false;
  const now = deps.clock.now();
  const at = now.toISOString();
  try {
    await deps.repo.commit({
      apps: [{ before: app, status: 'site_inspection', set: { updatedAt: at } }],
      finishTask: { task, status: 'completed' },
      notifications: [
        note(
          { role: 'officer' },
          'application.awaits_inspection',
          app,
          `专家评审完成，请安排现场考察：${app.orgName} / Expert review done; arrange the site inspection: ${app.orgName}`,
          at,
        ),
      ],
      audit: [
        auditEvent(now, SYSTEM_ACTOR, 'application.expert_review_completed', 'application', id, {
          experts: assignments.map((a) => a.expertId),
          scoredBy: scored.map((r) => r.expertId),
          conflictsDeclared: reviews.filter((r) => r.conflictOfInterest).map((r) => r.expertId),
          taskId: task.id,
        }),
      ],
    });
  } catch (e) {
    if (e instanceof ConflictError) return false;
    throw e;
  }
  await complete(deps, task, { reviewed: scored.length });
  return true;
}

// ————— site inspection (Art. 8(3)) —————

/**
 * `POST /v1/applications/{id}/site-inspection` (Art. 8(3)): the officer records the on-site
 * inspection; passed → `awaiting_ranking`, failed → `inspection_failed`. `inspectedAt` may not be in
 * the future. One inspection per application (409 ALREADY_INSPECTED).
 */
export async function recordSiteInspection<Op>(
  deps: ReviewDeps<Op>,
  principal: Principal,
  id: string,
  input: { readonly inspectedAt: string; readonly findings: string; readonly passed: boolean },
): Promise<Inspection> {
  const app = await reviewed(deps, id);
  const now = deps.clock.now();
  const at = now.toISOString();
  if (Date.parse(input.inspectedAt) > now.getTime()) {
    throw new ValidationError('The inspection cannot be recorded before it took place.', [
      { path: 'body.inspectedAt', message: `must not be after ${at}` },
    ]);
  }
  if (app.status !== 'site_inspection') throw wrongStage(app, 'site_inspection');
  const task = await pendingTaskOf(deps, app, ['site_inspection']);
  const inspection: Inspection = {
    applicationId: id,
    callId: app.callId,
    inspectedAt: new Date(input.inspectedAt).toISOString(),
    findings: input.findings,
    passed: input.passed,
    recordedBy: principal.sub,
    recordedAt: at,
  };
  const manifest = await deps.evidence.manifest(id);
  await deps.repo.commit({
    apps: [
      {
        before: app,
        status: input.passed ? 'awaiting_ranking' : 'inspection_failed',
        set: { updatedAt: at },
      },
    ],
    finishTask: { task, status: 'completed' },
    inspection,
    notifications: [
      note(
        owner(app),
        input.passed ? 'application.inspection_passed' : 'application.inspection_failed',
        app,
        input.passed
          ? '现场考察已通过，等待择优排序 / Site inspection passed; awaiting the ranking'
          : '现场考察未通过 / Site inspection failed',
        at,
      ),
    ],
    audit: [
      auditEvent(now, actorOf(principal), 'application.site_inspected', 'application', id, {
        inspectedAt: inspection.inspectedAt,
        findings: input.findings,
        passed: input.passed,
        evidenceManifest: manifest,
        taskId: task.id,
      }),
    ],
  });
  await complete(deps, task, { passed: input.passed, inspectedAt: inspection.inspectedAt });
  return inspection;
}

// ————— ranking and the proposed list (Art. 8(3)–(4)) —————

export interface RankingItem extends RankedEntry {
  readonly orgName: string;
  readonly uscc: string;
  readonly status: ApplicationStatus;
  readonly submittedAt?: string;
  readonly inspection: { readonly passed: boolean; readonly inspectedAt: string };
  readonly conflictsDeclared: number;
}

export interface Ranking {
  readonly callId: string;
  readonly criteria: Call['scoringCriteria'];
  readonly items: RankingItem[];
  readonly list?: ProposedList;
}

async function allOfCall(deps: Pick<ReviewDeps<unknown>, 'apps'>, callId: string): Promise<Application[]> {
  const out: Application[] = [];
  for (const status of RANKED_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await deps.apps.listByCall(callId, { status, limit: 100, ...(cursor ? { cursor } : {}) });
      out.push(...page.items.filter((a) => a.status === status));
      cursor = page.nextCursor;
    } while (cursor);
  }
  return out;
}

/**
 * `GET /v1/calls/{callId}/ranking` (Art. 8(3)): applications awaiting ranking and later, in merit
 * order — the mean of the experts' weighted scores (each Σ score/max·weight / Σ weight × 100), 2
 * decimals; inspection passed; ties to the earlier submission; per-expert scores shown.
 */
export async function getRanking<Op>(deps: ReviewDeps<Op>, callId: string): Promise<Ranking> {
  const call = await deps.calls.get(callId);
  if (!call) throw new NotFoundError('call', callId);
  const apps = await allOfCall(deps, callId);
  const details = await Promise.all(
    apps.map(async (app) => ({
      app,
      reviews: await deps.repo.reviews(app.id),
      inspection: await deps.repo.inspection(app.id),
    })),
  );
  const ranked = rank(
    call.scoringCriteria,
    details.map((d) => ({
      applicationId: d.app.id,
      ...(d.app.submittedAt ? { submittedAt: d.app.submittedAt } : {}),
      inspectionPassed: d.inspection?.passed === true,
      expertScores: d.reviews
        .filter((r) => !r.conflictOfInterest && r.scores)
        .map((r) => ({ expertId: r.expertId, scores: r.scores as Scores })),
    })),
  );
  const byId = new Map(details.map((d) => [d.app.id, d]));
  const list = await deps.repo.list(callId);
  return {
    callId,
    criteria: call.scoringCriteria,
    items: ranked.map((r) => {
      const d = byId.get(r.applicationId) as (typeof details)[number];
      return {
        ...r,
        orgName: d.app.orgName,
        uscc: d.app.uscc,
        status: d.app.status,
        ...(d.app.submittedAt ? { submittedAt: d.app.submittedAt } : {}),
        inspection: { passed: true, inspectedAt: d.inspection?.inspectedAt ?? '' },
        conflictsDeclared: d.reviews.filter((x) => x.conflictOfInterest).length,
      };
    }),
    ...(list ? { list } : {}),
  };
}

/**
 * `POST /v1/calls/{callId}/proposed-list` (Art. 8(3)): the officer proposes the list from the ranking
 * (each id must be ranked and awaiting ranking, or already on the pending list) → `proposed`; a pending
 * list is replaced (dropped applications go back to `awaiting_ranking`); approvers are told.
 */
export async function proposeList<Op>(
  deps: ReviewDeps<Op>,
  principal: Principal,
  callId: string,
  input: { readonly applicationIds: readonly string[] },
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: ProposedList }> {
  const ranking = await getRanking(deps, callId);
  const previous = ranking.list;
  if (previous?.status === 'approved') {
    throw new ConflictError(
      'LIST_ALREADY_APPROVED',
      `The list of call ${callId} is approved and on public notice.`,
    );
  }
  const pending = previous?.status === 'proposed' ? new Set(previous.applicationIds) : new Set<string>();
  const ranked = new Map(ranking.items.map((i) => [i.applicationId, i]));
  const refused = input.applicationIds.filter((id) => {
    const item = ranked.get(id);
    return !item || !(item.status === 'awaiting_ranking' || (item.status === 'proposed' && pending.has(id)));
  });
  if (refused.length) {
    throw new ConflictError(
      'NOT_IN_RANKING',
      `Not in the ranking of call ${callId} (or no longer awaiting it): ${refused.join(', ')}.`,
      { applicationIds: refused },
    );
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const chosen = new Set(input.applicationIds);
  const toPropose = await Promise.all(
    input.applicationIds.filter((id) => !pending.has(id)).map((id) => reviewed(deps, id)),
  );
  const toRelease = await Promise.all(
    [...pending].filter((id) => !chosen.has(id)).map((id) => reviewed(deps, id)),
  );
  const list: ProposedList = {
    callId,
    applicationIds: [...input.applicationIds],
    status: 'proposed',
    proposedBy: principal.sub,
    proposedAt: at,
    version: (previous?.version ?? 0) + 1,
  };
  await deps.repo.commit({
    list: { next: list, ...(previous ? { previousVersion: previous.version } : {}) },
    apps: [
      ...toPropose.map((app): AppChange => ({ before: app, status: 'proposed', set: { updatedAt: at } })),
      ...toRelease.map(
        (app): AppChange => ({ before: app, status: 'awaiting_ranking', set: { updatedAt: at } }),
      ),
    ],
    notifications: [
      {
        recipient: { role: 'approver' },
        event: 'call.list_proposed',
        entityType: 'call',
        entityId: callId,
        title: '拟认定名单待审定 / A proposed list awaits your decision',
        detail: { callId, applicationIds: list.applicationIds },
        at,
        dedupeKey: `call.list_proposed#${callId}#${list.version}`,
      },
    ],
    audit: [
      auditEvent(now, actorOf(principal), 'call.list_proposed', 'call', callId, {
        applicationIds: list.applicationIds,
        replaced: previous?.status === 'proposed' ? previous.applicationIds : [],
        ranking: ranking.items.map((i) => ({
          applicationId: i.applicationId,
          rank: i.rank,
          averageScore: i.averageScore,
        })),
      }),
    ],
    ...(idempotency
      ? { idempotency: { ...idempotency, response: { status: 201, body: list }, at: now } }
      : {}),
  });
  return { status: 201, body: list };
}

/**
 * `POST /v1/calls/{callId}/proposed-list/decision` (Art. 8(4)): the approver approves — ONE transaction:
 * the list approved, the public notice created (A's `planNotice`, its period from the working-day
 * calendar), every listed application `on_notice`, applicants told — or rejects: the list is rejected
 * and its applications go back to `awaiting_ranking`.
 */
export async function decideList<Op>(
  deps: ReviewDeps<Op>,
  principal: Principal,
  callId: string,
  input: { readonly decision: 'approve' | 'reject'; readonly opinion: string },
): Promise<{ status: ListStatus; noticeId?: string; startsAt?: string; endsAt?: string }> {
  const call = await deps.calls.get(callId);
  if (!call) throw new NotFoundError('call', callId);
  const list = await deps.repo.list(callId);
  if (list?.status !== 'proposed') {
    throw new ConflictError('NO_PENDING_LIST', `Call ${callId} has no proposed list awaiting a decision.`);
  }
  const apps = await Promise.all(list.applicationIds.map((id) => reviewed(deps, id)));
  const moved = apps.filter((a) => a.status !== 'proposed');
  if (moved.length) {
    throw new ConflictError(
      'LIST_OUTDATED',
      `These applications are no longer proposed (withdrawn or changed): ${moved.map((a) => `${a.id} (${a.status})`).join(', ')}. Propose the list again.`,
    );
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const decided = {
    decision: input.decision,
    opinion: input.opinion,
    decidedBy: principal.sub,
    decidedAt: at,
  };
  const listAudit = (extra: Record<string, unknown>) =>
    auditEvent(now, actorOf(principal), 'call.list_decided', 'call', callId, {
      decision: input.decision,
      opinion: input.opinion,
      applicationIds: list.applicationIds,
      ...extra,
    });
  if (input.decision === 'reject') {
    await deps.repo.commit({
      list: {
        next: { ...list, ...decided, status: 'rejected', version: list.version + 1 },
        previousVersion: list.version,
      },
      apps: apps.map(
        (app): AppChange => ({ before: app, status: 'awaiting_ranking', set: { updatedAt: at } }),
      ),
      notifications: [
        {
          recipient: { role: 'officer' },
          event: 'call.list_rejected',
          entityType: 'call',
          entityId: callId,
          title: '拟认定名单被退回 / The proposed list was rejected',
          detail: { callId, opinion: input.opinion },
          at,
          dedupeKey: `call.list_rejected#${callId}#${list.version}`,
        },
      ],
      audit: [listAudit({})],
    });
    return { status: 'rejected' };
  }
  const plan = await deps.planNotice({ call, applications: apps, now, approver: principal });
  await deps.repo.commit({
    list: {
      next: { ...list, ...decided, status: 'approved', noticeId: plan.notice.id, version: list.version + 1 },
      previousVersion: list.version,
    },
    extraOps: plan.ops,
    apps: apps.map(
      (app): AppChange => ({
        before: app,
        status: 'on_notice',
        set: { updatedAt: at, noticeId: plan.notice.id },
      }),
    ),
    // The plan's ops tell each applicant (notice.opened).
    audit: [
      listAudit({ noticeId: plan.notice.id, startsAt: plan.notice.startsAt, endsAt: plan.notice.endsAt }),
      ...plan.audit,
    ],
  });
  return {
    status: 'approved',
    noticeId: plan.notice.id,
    startsAt: plan.notice.startsAt,
    endsAt: plan.notice.endsAt,
  };
}

// ————— workflow steps (functions/workflow/review.ts) —————

export const SUPPLEMENT_DEADLINE = 'supplement-deadline';

export interface OpenStepInput {
  readonly kind: string;
  readonly applicationId: string;
  readonly callId: string;
  readonly round: number;
  readonly executionName: string;
  readonly stateName: string;
  readonly taskToken: string;
}

const withdrawnError = (id: string): Error => {
  const e = new Error(`Application ${id} was withdrawn`);
  e.name = 'Withdrawn';
  return e;
};

/**
 * The `openHumanTask` step of the review: records the waiting task with its assignees (officers; the
 * owner for `supplement`, due at the supplement deadline; the assigned experts for `expert_review`) and
 * its round. Opening the preliminary review moves a `submitted` application to `preliminary_review`.
 * An application already withdrawn ends the workflow (`Withdrawn`). Idempotent.
 */
export async function openReviewStep<Op>(
  deps: ReviewDeps<Op>,
  input: OpenStepInput,
): Promise<{ taskId: string; created: boolean }> {
  let app = await reviewed(deps, input.applicationId);
  if (app.status === 'withdrawn') throw withdrawnError(app.id);
  if (input.kind === 'preliminary_review' && app.status === 'submitted') {
    // The status moves before the task opens: a task an officer can see in the inbox always finds its
    // application in `preliminary_review`. A crash in between leaves `preliminary_review` without a
    // task; the step's retry (or the engine's resume) runs this again and opens the task.
    const now = deps.clock.now();
    const moved = await ignoreConflict(
      deps.repo.commit({
        apps: [{ before: app, status: 'preliminary_review', set: { updatedAt: now.toISOString() } }],
        audit: [
          auditEvent(now, SYSTEM_ACTOR, 'application.preliminary_review_opened', 'application', app.id, {
            taskId: taskId(input.executionName, input.stateName, input.round),
          }),
        ],
      }),
    );
    if (!moved) {
      app = await reviewed(deps, input.applicationId);
      if (app.status === 'withdrawn') throw withdrawnError(app.id);
    }
  }
  let assigneeSubs: string[] | undefined;
  let dueAt: string | undefined;
  if (input.kind === 'supplement') {
    assigneeSubs = [app.ownerSub];
    dueAt = app.supplementDeadline;
  } else if (input.kind === 'expert_review') {
    assigneeSubs = (await deps.repo.assignments(app.id)).map((a) => a.expertSub);
  }
  const { created, task } = await openHumanTask(
    { tasks: deps.tasks, clock: deps.clock, dueDays: deps.dueDays },
    {
      kind: input.kind,
      executionName: input.executionName,
      stateName: input.stateName,
      taskToken: input.taskToken,
      payload: { applicationId: input.applicationId, callId: input.callId, round: input.round },
      round: input.round,
      ...(assigneeSubs ? { assigneeSubs } : {}),
      ...(dueAt ? { dueAt } : {}),
    },
  );
  if (input.kind === 'expert_review') await completeExpertReviewIfDone(deps, app.id);
  return { taskId: task.id, created };
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

/**
 * Idempotent workflow step: makes sure the application reached `target` (the API normally has moved it
 * already, in the decision's transaction); moves it only from one of `from`.
 */
export async function ensureStatus<Op>(
  deps: ReviewDeps<Op>,
  id: string,
  target: ApplicationStatus,
  from: readonly ApplicationStatus[],
): Promise<{ changed: boolean; status: ApplicationStatus }> {
  const app = await reviewed(deps, id);
  if (app.status === target || !from.includes(app.status)) return { changed: false, status: app.status };
  const now = deps.clock.now();
  const changed = await ignoreConflict(
    deps.repo.commit({
      apps: [{ before: app, status: target, set: { updatedAt: now.toISOString() } }],
      audit: [
        auditEvent(now, SYSTEM_ACTOR, 'application.status_confirmed', 'application', id, {
          from: app.status,
          to: target,
        }),
      ],
    }),
  );
  return { changed, status: changed ? target : app.status };
}

/**
 * `Finalise` (Art. 8(4)): after the notice closed with `{ outcome }` — the application is already
 * `recognised` or `not_recognised` (A's notice close, which also told the applicant) — records the end
 * of the review and tells the office. Idempotent (`reviewFinalisedAt`).
 */
export async function finaliseReview<Op>(
  deps: ReviewDeps<Op>,
  id: string,
  listing: { readonly outcome?: unknown; readonly platformId?: unknown },
): Promise<{ finalised: boolean }> {
  const app = await reviewed(deps, id);
  if (app.reviewFinalisedAt) return { finalised: false };
  const outcome = typeof listing.outcome === 'string' ? listing.outcome : app.status;
  const now = deps.clock.now();
  const at = now.toISOString();
  const recognised = outcome === 'recognised';
  const done = await ignoreConflict(
    deps.repo.commit({
      apps: [
        {
          before: app,
          status: app.status,
          set: { reviewFinalisedAt: at, reviewOutcome: outcome, updatedAt: at },
        },
      ],
      // The notice close has told the applicant; the office learns that the review is over.
      notifications: [
        note(
          { role: 'officer' },
          'application.review_finalised',
          app,
          recognised
            ? `评审结束，已认定：${app.orgName} / Review finished, recognised: ${app.orgName}`
            : `评审结束，未予认定：${app.orgName} / Review finished, not recognised: ${app.orgName}`,
          at,
          { outcome, ...(typeof listing.platformId === 'string' ? { platformId: listing.platformId } : {}) },
        ),
      ],
      audit: [
        auditEvent(now, SYSTEM_ACTOR, 'application.review_finalised', 'application', id, {
          outcome,
          status: app.status,
          ...(typeof listing.platformId === 'string' ? { platformId: listing.platformId } : {}),
        }),
      ],
    }),
  );
  return { finalised: done };
}

/**
 * `MarkSupplementExpired` (Art. 8(1)–(2)): the supplement deadline passed without a resubmission —
 * the application is `supplement_expired`, its supplement task failed, the applicant told. The deadline
 * job normally did all this before failing the step; idempotent.
 */
export async function markSupplementExpired<Op>(
  deps: ReviewDeps<Op>,
  id: string,
): Promise<{ changed: boolean }> {
  const app = await reviewed(deps, id);
  const task = await deps.tasks.current('application', id);
  const pending = task?.status === 'pending' && task.kind === 'supplement' ? task : undefined;
  if (app.status !== 'returned' && !pending) return { changed: false };
  const now = deps.clock.now();
  const at = now.toISOString();
  const changed = await ignoreConflict(
    deps.repo.commit({
      ...(app.status === 'returned'
        ? {
            apps: [
              {
                before: app,
                status: 'supplement_expired' as const,
                set: { updatedAt: at },
                dropDue: true as const,
              },
            ],
          }
        : {}),
      ...(pending ? { finishTask: { task: pending, status: 'failed' as const } } : {}),
      notifications: app.status === 'returned' ? [supplementExpiredNote(app, at)] : [],
      audit: [
        auditEvent(now, SYSTEM_ACTOR, 'application.supplement_expired', 'application', id, {
          supplementDeadline: app.supplementDeadline ?? null,
          ...(pending ? { taskId: pending.id } : {}),
        }),
      ],
    }),
  );
  return { changed };
}

const supplementExpiredNote = (app: Application, at: string): NotificationInput =>
  note(
    owner(app),
    'application.supplement_expired',
    app,
    `补正期限 ${app.supplementDeadline ?? ''} 已过，申报终止 / The supplement deadline passed; the application has ended`,
    at,
    { supplementDeadline: app.supplementDeadline ?? null },
    `application.supplement_expired#${app.id}`,
  );

/**
 * Deadline action `supplement-deadline` (Art. 8(1)–(2)): at the supplement deadline of a still
 * `returned` application — ONE transaction: `supplement_expired`, the supplement task failed, the due
 * entry dropped (only if it is still exactly the one read), the applicant told; then the waiting
 * workflow step fails with `SupplementDeadlinePassed`. A resubmitted application only loses the stale
 * entry. Running twice changes nothing.
 */
export function supplementDeadlineAction<Op>(
  deps: ReviewDeps<Op>,
): (entry: DueItem, now: Date) => Promise<boolean> {
  return async (entry, now) => {
    const item = entry.item as unknown as Application;
    const app = await deps.apps.get(item.id);
    if (!app) return false;
    const at = now.toISOString();
    if (
      app.status !== 'returned' ||
      !app.supplementDeadline ||
      Date.parse(app.supplementDeadline) > now.getTime()
    ) {
      if (app.status === 'returned') return false;
      await ignoreConflict(
        deps.repo.commit({
          apps: [{ before: app, status: app.status, dropDue: { ifDueSk: entry.dueSk } }],
          audit: [],
        }),
      );
      return false;
    }
    const current = await deps.tasks.current('application', app.id);
    const task = current?.status === 'pending' && current.kind === 'supplement' ? current : undefined;
    const committed = await ignoreConflict(
      deps.repo.commit({
        apps: [
          {
            before: app,
            status: 'supplement_expired',
            set: { updatedAt: at },
            dropDue: { ifDueSk: entry.dueSk },
          },
        ],
        ...(task ? { finishTask: { task, status: 'failed' as const } } : {}),
        notifications: [supplementExpiredNote(app, at)],
        audit: [
          auditEvent(now, SYSTEM_ACTOR, 'application.supplement_expired', 'application', app.id, {
            supplementDeadline: app.supplementDeadline,
            ...(task ? { taskId: task.id } : {}),
          }),
        ],
      }),
    );
    if (!committed) return false;
    if (task) {
      const engine = await deps.workflows();
      try {
        await engine.sendTaskFailure(
          task.token,
          'SupplementDeadlinePassed',
          `The supplement deadline ${app.supplementDeadline} of application ${app.id} passed without a resubmission`,
          taskSubject(task),
        );
      } catch (error) {
        deps.onWorkflowError?.(error, { applicationId: app.id, taskId: task.id, step: 'sendTaskFailure' });
      }
    }
    return true;
  };
}

/** `CloseWithdrawnTask`: the applicant withdrew; the step's task is failed if the withdrawal left it pending. */
export async function closeWithdrawnTask<Op>(
  deps: ReviewDeps<Op>,
  input: { readonly applicationId: string; readonly executionName: string },
): Promise<{ closed: boolean }> {
  const task = await deps.tasks.current('application', input.applicationId);
  if (task?.status !== 'pending' || task.executionName !== input.executionName) return { closed: false };
  const now = deps.clock.now();
  const closed = await ignoreConflict(
    deps.repo.commit({
      finishTask: { task, status: 'failed' },
      audit: [
        auditEvent(now, SYSTEM_ACTOR, 'task.failed', 'task', task.id, {
          reason: 'withdrawn',
          applicationId: input.applicationId,
        }),
      ],
    }),
  );
  return { closed };
}

/**
 * `MarkStepTimedOut` / `RecordFailure`: a human step timed out (after its reminder and escalation) or
 * the workflow failed — the step's task ends (`timed_out` / `failed`), the application goes to `error`
 * with the reason (visible to staff; a withdrawn or finished application keeps its status), officers
 * are told, and a failure is recorded once per execution.
 */
export async function recordReviewFailure<Op>(
  deps: ReviewDeps<Op>,
  input: {
    readonly applicationId: string;
    readonly executionName: string;
    readonly kind: 'timed_out' | 'failed';
    readonly stateName?: string;
    readonly round?: number;
    readonly error?: unknown;
  },
): Promise<{ recorded: boolean }> {
  const app = await reviewed(deps, input.applicationId);
  const now = deps.clock.now();
  const at = now.toISOString();
  const task = input.stateName
    ? await deps.tasks.get(taskId(input.executionName, input.stateName, input.round))
    : await deps.tasks.current('application', app.id);
  const pending = task?.status === 'pending' && task.executionName === input.executionName ? task : undefined;
  const terminal: readonly ApplicationStatus[] = [
    'withdrawn',
    'recognised',
    'not_recognised',
    'rejected',
    'error',
  ];
  const reviewError = { kind: input.kind, ...(input.stateName ? { stateName: input.stateName } : {}), at };
  const recorded = await ignoreConflict(
    deps.repo.commit({
      ...(terminal.includes(app.status)
        ? {}
        : {
            apps: [
              {
                before: app,
                status: 'error' as const,
                set: { reviewError, updatedAt: at },
                dropDue: true as const,
              },
            ],
          }),
      ...(pending
        ? {
            finishTask: {
              task: pending,
              status: input.kind === 'timed_out' ? ('timed_out' as const) : ('failed' as const),
            },
          }
        : {}),
      failureRecord: {
        executionName: input.executionName,
        detail: {
          applicationId: app.id,
          kind: input.kind,
          stateName: input.stateName ?? null,
          error: input.error ?? null,
          at,
        },
      },
      notifications: [
        note(
          { role: 'officer' },
          input.kind === 'timed_out' ? 'application.review_step_timed_out' : 'application.review_failed',
          app,
          input.kind === 'timed_out'
            ? `评审环节超时未办理：${app.orgName} / A review step was not completed in time: ${app.orgName}`
            : `评审流程出错：${app.orgName} / The review workflow failed: ${app.orgName}`,
          at,
          { stateName: input.stateName ?? null, previousStatus: app.status },
          `application.review_${input.kind}#${input.executionName}`,
        ),
      ],
      audit: [
        auditEvent(
          now,
          SYSTEM_ACTOR,
          input.kind === 'timed_out' ? 'application.review_step_timed_out' : 'workflow.failed',
          'application',
          app.id,
          {
            executionName: input.executionName,
            stateName: input.stateName ?? null,
            previousStatus: app.status,
            error: input.error ?? null,
          },
        ),
      ],
    }),
  );
  return { recorded };
}

/**
 * `POST /v1/applications/{id}/review/retry` (Art. 8(2)): an officer restarts the review of an application
 * whose workflow failed for good (status `error`). In one transaction with its audit event the
 * application goes back to `submitted`; then the review starts again from the preliminary review under
 * a new execution name `app-<id>-r<n>`. Refused (409 REVIEW_ALREADY_AT_EXPERTS) once experts were
 * assigned, so no expert is asked for a review twice; such a case stays visible in `error`.
 */
export async function retryReview<Op>(
  deps: ReviewDeps<Op>,
  principal: Principal,
  id: string,
): Promise<ReviewedApplication> {
  const app = await reviewed(deps, id);
  if (app.status !== 'error') throw wrongStage(app, 'error');
  if ((await deps.repo.assignments(id)).length > 0) {
    throw new ConflictError(
      'REVIEW_ALREADY_AT_EXPERTS',
      `The review of application ${id} failed after experts were assigned; it cannot restart from the preliminary review.`,
    );
  }
  const run = (app.reviewRun ?? 0) + 1;
  const executionName = `${reviewExecutionName(id)}-r${run}`;
  const now = deps.clock.now();
  const at = now.toISOString();
  await deps.repo.commit({
    apps: [
      { before: app, status: 'submitted', set: { reviewRun: run, updatedAt: at }, remove: ['reviewError'] },
    ],
    notifications: [
      note(
        { role: 'officer' },
        'application.review_retried',
        app,
        `评审流程已重新启动：${app.orgName} / The review was restarted: ${app.orgName}`,
        at,
        { executionName },
        `application.review_retried#${executionName}`,
      ),
    ],
    audit: [
      auditEvent(now, actorOf(principal), 'application.review_retried', 'application', id, {
        executionName,
        run,
        previousError: app.reviewError ?? null,
      }),
    ],
  });
  try {
    await (await deps.workflows()).start(REVIEW_WORKFLOW, executionName, {
      applicationId: id,
      callId: app.callId,
    });
  } catch (error) {
    deps.onWorkflowError?.(error, { applicationId: id, step: 'start', executionName });
  }
  return { ...app, status: 'submitted', reviewRun: run, updatedAt: at, version: app.version + 1 };
}
