import '../tests/support/quiet-logs.ts';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dynamoClient, resetClients, s3Client } from '../functions/adapters/aws-clients.ts';
import { DynamoCallStore } from '../functions/adapters/call-store.ts';
import { cycleItem, evaluationItem } from '../functions/adapters/evaluation-store.ts';
import { platformItem } from '../functions/adapters/platform-store.ts';
import { registry } from '../functions/adapters/registry.ts';
import { ensureBucket, ensureTable } from '../functions/adapters/table-admin.ts';
import { setWorkflowEngine } from '../functions/adapters/workflow-engine.ts';
import { type RouteDef, routeKey, routes } from '../functions/api/routes.ts';
import { auditEvent, SYSTEM_ACTOR } from '../functions/core/audit.ts';
import { serviceKey } from '../functions/core/catalogue-model.ts';
import type { Evaluation, EvaluationCycle } from '../functions/core/evaluations.ts';
import { evaluationExecutionName, evaluationIdFor, REPORT_OVERDUE } from '../functions/core/evaluations.ts';
import type { Platform } from '../functions/core/platforms.ts';
import { reviewExecutionName } from '../functions/core/recognition-model.ts';
import { withCheckChar } from '../functions/core/uscc.ts';
import { setClock } from '../functions/shared/clock.ts';
import { resetEnv } from '../functions/shared/env.ts';
import { freePort, startDynamoDbLocal, startS3rver } from '../infra/local/services.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../tests/support/api-events.ts';
import { RecordingWorkflowEngine } from '../tests/support/recording-engine.ts';
import { type CounterSnapshot, DynamoCounter } from './support/dynamo-counter.ts';
import type { BenchContext, BenchPart, Figure } from './support/figures.ts';
import { round2 } from './support/figures.ts';
import { seedBackground, seedDueTasks } from './support/seed.ts';

/**
 * Issue 8, part 3 — DynamoDB work per action. Every API action of a scripted journey (organisation,
 * call, application with evidence, the whole review to the public notice and an objection, platform
 * operations, settings, evaluation, revocation, exports) runs through the real group handler in-process
 * against DynamoDB Local, with a `DynamoCounter` on `dynamoClient()`, twice: on a table with a small
 * background (≈100 records) and on one with a large background (≈10k records of other organisations,
 * applications, platforms, evaluations, tasks, audit events and notifications). The same ids are used
 * in both, so the two runs differ only in the size of the registry: the request count of an action must
 * be the same at both sizes (a list reads one page, never the registry).
 *
 * Then the deadline job on one growing table: 1k, 10k, 100k records of background (deadlines in the
 * future: tasks due next week, this year's evaluations due at year end) plus a fixed set of due tasks;
 * its requests and read units must follow the due items, not the registry (and 200 due items at 10k
 * show they do follow the due items).
 */

const SECTION = 'dynamodb';
/** The business clock of the action journey: the seeded call is open (1–31 March 2026). */
const NOW = '2026-03-10T02:00:00.000Z';
/** The deadline job's clock: past the seeded due tasks, before every background deadline. */
const JOB_NOW = '2026-03-10T02:00:00.000Z';

type Handler = (
  e: unknown,
  c: unknown,
) => Promise<{ statusCode: number; body?: string; headers?: Record<string, string> }>;
type Json = Record<string, unknown>;

interface Sizes {
  readonly actionsSmall: number;
  readonly actionsLarge: number;
  readonly job: readonly number[];
  readonly due: number;
  readonly dueMany: number;
  /** `limit` sent to every list route: smaller than what even the small registry holds, so a list
   * action returns a full page at both sizes and its work can be compared item for item. */
  readonly page: number;
}
const FULL: Sizes = {
  actionsSmall: 100,
  actionsLarge: 10_000,
  job: [1_000, 10_000, 100_000],
  due: 20,
  dueMany: 200,
  page: 5,
};
const QUICK: Sizes = {
  actionsSmall: 80,
  actionsLarge: 200,
  job: [100, 300, 600],
  due: 3,
  dueMany: 9,
  page: 3,
};

const officer: Caller = { sub: 'bench-officer', roles: ['officer'] };
const approver: Caller = { sub: 'bench-approver', roles: ['approver'] };
const admin: Caller = { sub: 'bench-admin', roles: ['admin'] };
const observer: Caller = { sub: 'bench-observer', roles: ['observer'] };
const applicant: Caller = { sub: 'bench-applicant', roles: ['applicant'] };
const applicant2: Caller = { sub: 'bench-applicant-2', roles: ['applicant'] };
const applicant3: Caller = { sub: 'bench-applicant-3', roles: ['applicant'] };
const experts: readonly Caller[] = [
  { sub: 'bench-expert-1', roles: ['expert'] },
  { sub: 'bench-expert-2', roles: ['expert'] },
];
const CALL_ID = 'BENCHCALL';
const PLATFORM_ID = 'p-BENCHPLAT';
const CYCLE_YEAR = 2026;
/** The cycle the journey creates, opens over every active platform and signs off. */
const BATCH_YEAR = 2024;

/** A small valid PDF (signature, size and SHA-256 are checked on confirm). */
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.7\n% bench\n'),
  Buffer.alloc(512, 0x41),
  Buffer.from('\n%%EOF\n'),
]);
const PDF_SHA = createHash('sha256').update(PDF).digest('hex');
const declaration = (kind: string) => ({
  kind,
  fileName: 'evidence.pdf',
  contentType: 'application/pdf',
  sizeBytes: PDF.length,
  sha256: PDF_SHA,
});

/** What the journey carries from one step to the next (ids the handlers returned). */
type State = Record<string, string>;

interface Step {
  readonly id: string;
  readonly as?: Caller;
  readonly params?: (s: State) => Record<string, string>;
  readonly query?: (s: State) => Record<string, string>;
  readonly body?: (s: State) => unknown;
  readonly want: number;
  /** Keeps ids from the answer. */
  readonly keep?: (body: Json, s: State) => void;
  /** Uncounted work before the request: what a browser or the state machine does in between. */
  readonly before?: (s: State, h: Harness) => Promise<void>;
  /** Why this action's work depends on the data (an export, a batch action), when it does. */
  readonly scales?: string;
  /**
   * An export: it reads what it exports, so its requests follow the rows; its goal is the read units per
   * exported row (no more on the large registry than on the small one).
   */
  readonly perRow?: boolean;
  /**
   * A batch action over every active platform (opening and signing off an evaluation cycle): the number
   * of evaluations it handled, from its answer; its goal is the requests per evaluation.
   */
  readonly perUnit?: (body: Json) => number;
}

interface Harness {
  call(
    id: string,
    caller: Caller | undefined,
    opts?: Omit<Step, 'id' | 'as' | 'want'>,
    s?: State,
  ): Promise<Json>;
  openStep(s: State, kind: string, stateName: string): Promise<void>;
  /** Invokes a workflow task handler as the state machine would. */
  workflow(name: 'review' | 'uscc-verification', input: Record<string, unknown>): Promise<void>;
}

const byId = new Map(routes.map((r) => [r.id, r]));
const route = (id: string): RouteDef => {
  const r = byId.get(id);
  if (!r) throw new Error(`no route ${id}`);
  return r;
};

async function upload(ticket: Json): Promise<void> {
  const up = ticket.upload as { url: string; fields: Record<string, string> };
  const form = new FormData();
  for (const [k, v] of Object.entries(up.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'evidence.pdf');
  const res = await fetch(up.url, { method: 'POST', body: form });
  if (res.status >= 300) throw new Error(`upload: ${res.status} ${await res.text()}`);
}

/**
 * The journey: one valid request per route of the route table, in an order that makes each one succeed
 * (the bench test checks that every route is in it). `before` hooks do, uncounted, what a browser or the
 * state machine does in between.
 */
const JOURNEY: readonly Step[] = [
  { id: 'getHealth', want: 200 },
  { id: 'getOpenApi', want: 200 },
  {
    id: 'createOrganisation',
    as: applicant,
    body: () => ({
      name: '中山基准科技有限公司',
      uscc: withCheckChar('91442000MA4BENCH1'),
      registeredCapitalCny: 60_000_000,
      address: '广东省中山市东区中山四路1号',
      legalRepresentative: '张三',
      contact: { name: '李四', phone: '0760-88880000', email: 'li@bench.example' },
    }),
    want: 201,
    keep: (b, s) => {
      s.orgId = String(b.id);
    },
  },
  { id: 'getOrganisation', as: applicant, params: (s) => ({ orgId: s.orgId as string }), want: 200 },
  {
    id: 'getMyOrganisation',
    as: applicant,
    want: 200,
    keep: (b, s) => {
      if (b.id !== s.orgId) throw new Error(`getMyOrganisation: got ${String(b.id)}, want ${s.orgId}`);
    },
  },
  {
    id: 'createCall',
    as: officer,
    body: () => ({
      title: '2027年度市级人工智能赋能平台认定',
      description: '申报条件见《管理办法》第九条',
      opensAt: '2027-03-01T00:00:00.000Z',
      closesAt: '2027-03-31T16:00:00.000Z',
      requiredEvidence: [{ kind: 'business-licence', title: '营业执照', required: true }],
      scoringCriteria: [{ key: 'resources', title: '资源集聚', weight: 1, max: 100 }],
      noticePeriod: { length: 5, unit: 'working_days' },
    }),
    want: 201,
    keep: (b, s) => {
      s.newCallId = String(b.id);
    },
  },
  { id: 'publishCall', as: officer, params: (s) => ({ callId: s.newCallId as string }), want: 200 },
  { id: 'listCalls', want: 200 },
  { id: 'getCall', params: () => ({ callId: CALL_ID }), want: 200 },
  {
    id: 'createApplication',
    as: applicant,
    params: () => ({ callId: CALL_ID }),
    body: () => ({
      consortium: [{ name: '中山大学', kind: 'university' }],
      partners: Array.from({ length: 10 }, (_, i) => ({ name: `合作机构${i}`, kind: 'company' })),
      registeredCapitalCny: 60_000_000,
      committedEnterprisesPerYear: 30,
      capabilities: ['compute scheduling'],
      summary: '基准测试的算力平台',
    }),
    want: 201,
    keep: (b, s) => {
      s.appId = String(b.id);
    },
  },
  {
    id: 'patchApplication',
    as: applicant,
    params: (s) => ({ id: s.appId as string }),
    body: () => ({ summary: '基准测试的算力平台（修订）', version: 1 }),
    want: 200,
  },
  { id: 'getApplication', as: applicant, params: (s) => ({ id: s.appId as string }), want: 200 },
  { id: 'listApplications', as: officer, query: () => ({ callId: CALL_ID }), want: 200 },
  {
    id: 'createEvidence',
    as: applicant,
    params: (s) => ({ id: s.appId as string }),
    body: () => declaration('business-licence'),
    want: 201,
    keep: (b, s) => {
      s.evidenceId = String(b.evidenceId);
      s.ticket = JSON.stringify(b);
    },
  },
  {
    id: 'confirmEvidence',
    as: applicant,
    before: (s) => upload(JSON.parse(s.ticket as string) as Json),
    params: (s) => ({ id: s.appId as string, evidenceId: s.evidenceId as string }),
    want: 200,
  },
  { id: 'listEvidence', as: applicant, params: (s) => ({ id: s.appId as string }), want: 200 },
  {
    id: 'downloadEvidence',
    as: officer,
    params: (s) => ({ id: s.appId as string, evidenceId: s.evidenceId as string }),
    want: 200,
  },
  { id: 'submitApplication', as: applicant, params: (s) => ({ id: s.appId as string }), want: 200 },
  {
    id: 'listTasks',
    as: officer,
    before: (s, h) => h.openStep(s, 'preliminary_review', 'OpenPreliminaryReview'),
    want: 200,
  },
  {
    id: 'decidePreliminaryReview',
    as: officer,
    params: (s) => ({ id: s.appId as string }),
    body: () => ({ decision: 'pass', opinion: '材料真实、准确、符合要求' }),
    want: 200,
  },
  {
    id: 'createExpert',
    as: admin,
    body: () => ({
      userId: experts[0]?.sub,
      name: '专家甲',
      employerUscc: withCheckChar('91442000MA4EXPT01'),
      fields: ['AI'],
    }),
    want: 201,
    keep: (b, s) => {
      s.expert1 = String(b.id);
    },
  },
  {
    id: 'listExperts',
    as: officer,
    before: async (s, h) => {
      const e2 = await h.call('createExpert', admin, {
        body: () => ({
          userId: experts[1]?.sub,
          name: '专家乙',
          employerUscc: withCheckChar('91442000MA4EXPT02'),
          fields: ['AI'],
        }),
      });
      s.expert2 = String(e2.id);
      await h.openStep(s, 'expert_assignment', 'OpenExpertAssignment');
    },
    want: 200,
  },
  {
    id: 'assignExperts',
    as: officer,
    params: (s) => ({ id: s.appId as string }),
    body: (s) => ({ expertIds: [s.expert1, s.expert2] }),
    want: 200,
  },
  {
    id: 'submitExpertReview',
    as: experts[0],
    before: (s, h) => h.openStep(s, 'expert_review', 'OpenExpertReviews'),
    params: (s) => ({ id: s.appId as string }),
    body: () => ({ conflictOfInterest: false, scores: { capability: 90 }, comment: '平台能力突出' }),
    want: 201,
  },
  {
    id: 'recordSiteInspection',
    as: officer,
    before: async (s, h) => {
      await h.call('submitExpertReview', experts[1], {
        params: () => ({ id: s.appId as string }),
        body: () => ({ conflictOfInterest: false, scores: { capability: 80 }, comment: '良好' }),
      });
      await h.openStep(s, 'site_inspection', 'OpenSiteInspection');
    },
    params: (s) => ({ id: s.appId as string }),
    body: () => ({ inspectedAt: '2026-03-09T02:00:00.000Z', findings: '场地、团队属实', passed: true }),
    want: 201,
  },
  {
    id: 'getRanking',
    as: officer,
    params: () => ({ callId: CALL_ID }),
    want: 200,
    scales: 'ranks every application of the call (by design: one call, not the registry)',
  },
  {
    id: 'proposeList',
    as: officer,
    params: () => ({ callId: CALL_ID }),
    body: (s) => ({ applicationIds: [s.appId] }),
    want: 201,
  },
  {
    id: 'decideProposedList',
    as: approver,
    before: (s, h) => h.openStep(s, 'listing', 'AwaitListing'),
    params: () => ({ callId: CALL_ID }),
    body: () => ({ decision: 'approve', opinion: '同意公示' }),
    want: 200,
    keep: (b, s) => {
      s.noticeId = String(b.noticeId);
    },
  },
  { id: 'listPublicNotices', want: 200 },
  { id: 'getPublicNotice', params: (s) => ({ noticeId: s.noticeId as string }), want: 200 },
  {
    id: 'createObjection',
    params: (s) => ({ noticeId: s.noticeId as string }),
    body: (s) => ({
      applicationId: s.appId,
      objectorName: '王五',
      objectorType: 'individual',
      contact: '13800000000',
      reason: '合作机构数量与协议不符，请核实。',
    }),
    want: 201,
    keep: (b, s) => {
      s.objectionId = String(b.id);
    },
  },
  {
    id: 'listObjections',
    as: officer,
    query: () => ({ status: 'pending' }),
    want: 200,
    keep: (b, s) => {
      if (!(b.items as Json[]).some((o) => o.id === s.objectionId))
        throw new Error('listObjections: the pending objection is not listed');
    },
  },
  {
    id: 'listNoticeObjections',
    as: officer,
    params: (s) => ({ noticeId: s.noticeId as string }),
    want: 200,
  },
  {
    id: 'resolveObjection',
    as: officer,
    params: (s) => ({ objectionId: s.objectionId as string }),
    body: () => ({ upheld: false, response: '经核实，异议不成立。' }),
    want: 200,
  },
  { id: 'listAuditEvents', as: officer, query: (s) => ({ entityId: s.appId as string }), want: 200 },
  {
    id: 'listNotifications',
    as: officer,
    want: 200,
    keep: (b, s) => {
      const first = (b.items as Json[] | undefined)?.[0];
      s.notificationId = String(first?.id ?? 'none');
    },
  },
  {
    id: 'markNotificationsRead',
    as: officer,
    body: (s) => ({ ids: [s.notificationId] }),
    want: 200,
  },
  { id: 'getCalendarYear', as: officer, params: () => ({ year: '2026' }), want: 200 },
  {
    id: 'putCalendarYear',
    as: admin,
    params: () => ({ year: '2030' }),
    body: () => ({ holidays: ['2030-01-01'], workdays: [], complete: true }),
    want: 200,
  },
  { id: 'listPublicPlatforms', want: 200 },
  { id: 'getPlatform', as: applicant, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  {
    id: 'createSharingConsent',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID }),
    body: () => ({
      dataOwner: '中山基准科技有限公司',
      scope: ['evidence', 'reports'],
      validUntil: '2027-12-31',
    }),
    want: 201,
  },
  { id: 'listSharingConsents', as: observer, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  {
    id: 'createAdvanceNotice',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID }),
    body: () => ({ kind: 'rename', effectiveDate: '2026-06-01', description: '拟更名' }),
    want: 201,
  },
  { id: 'listAdvanceNotices', as: officer, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  {
    id: 'createPlatformEvidence',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID }),
    body: () => declaration('change_request'),
    want: 201,
    keep: (b, s) => {
      s.platformEvidenceId = String(b.evidenceId);
      s.platformTicket = JSON.stringify(b);
    },
  },
  {
    id: 'confirmPlatformEvidence',
    as: applicant,
    before: (s) => upload(JSON.parse(s.platformTicket as string) as Json),
    params: (s) => ({ platformId: PLATFORM_ID, evidenceId: s.platformEvidenceId as string }),
    want: 200,
  },
  { id: 'listPlatformEvidence', as: observer, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  {
    id: 'downloadPlatformEvidence',
    as: officer,
    params: (s) => ({ platformId: PLATFORM_ID, evidenceId: s.platformEvidenceId as string }),
    want: 200,
  },
  {
    id: 'createChangeRequest',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID }),
    body: (s) => ({
      kind: 'service_content',
      description: '新增模型微调服务',
      proposed: { services: ['算力调度', '模型微调'] },
      evidenceIds: [s.platformEvidenceId],
    }),
    want: 201,
    keep: (b, s) => {
      s.changeId = String(b.id);
    },
  },
  {
    id: 'listChangeRequests',
    as: officer,
    want: 200,
    keep: (b, s) => {
      if (!(b.items as Json[]).some((c) => c.id === s.changeId))
        throw new Error('listChangeRequests: the pending change request is not listed');
    },
  },
  {
    id: 'decideChangeRequest',
    as: officer,
    params: (s) => ({ id: s.changeId as string }),
    body: () => ({ decision: 'approve', opinion: '同意变更' }),
    want: 200,
  },
  { id: 'listPlatformChangeRequests', as: officer, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  { id: 'getPlatformHistory', as: officer, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  {
    id: 'putPlatformService',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID, serviceId: 'gpu-a100' }),
    body: () => ({
      category: 'compute',
      name: 'A100 GPU 算力租用',
      provider: '中山基准算力有限公司',
      providerUscc: withCheckChar('91442000MA4BENCH4'),
      unit: 'GPU card-hour',
      priceRangeCny: { min: 8, max: 15 },
      available: true,
    }),
    want: 201,
  },
  {
    id: 'putPlatformCase',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID, caseId: 'case-1' }),
    body: (s) => ({
      title: '注塑工厂视觉质检',
      sector: '智能制造',
      customerType: 'enterprise',
      outcome: '缺陷检出率提升至 99.5%',
      evidenceIds: [s.platformEvidenceId],
    }),
    want: 201,
  },
  { id: 'listPlatformServices', as: officer, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  { id: 'listPlatformCases', as: applicant, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  { id: 'getPublicPlatformProfile', params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  { id: 'listPublicServices', query: () => ({ category: 'compute', q: 'gpu' }), want: 200 },
  { id: 'listPublicCases', query: () => ({ sector: '智能制造', q: '质检' }), want: 200 },
  {
    id: 'setPlatformServiceVisibility',
    as: officer,
    params: () => ({ platformId: PLATFORM_ID, serviceId: 'gpu-a100' }),
    body: () => ({ hidden: true, reason: '价格信息待核实' }),
    want: 200,
  },
  {
    id: 'setPlatformCaseVisibility',
    as: officer,
    params: () => ({ platformId: PLATFORM_ID, caseId: 'case-1' }),
    body: () => ({ hidden: true, reason: '案例材料待核实' }),
    want: 200,
  },
  {
    id: 'deletePlatformService',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID, serviceId: 'gpu-a100' }),
    want: 204,
  },
  {
    id: 'deletePlatformCase',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID, caseId: 'case-1' }),
    want: 204,
  },
  { id: 'getSettings', as: officer, want: 200 },
  { id: 'putSettings', as: admin, body: () => ({ policyEndDate: '2027-12-31', version: 0 }), want: 200 },
  {
    id: 'createEvaluationCycle',
    as: officer,
    body: () => ({
      year: BATCH_YEAR,
      reportDeadline: '2026-03-31',
      criteria: [{ key: 'service', title: '服务成效', weight: 1, max: 100 }],
    }),
    want: 201,
  },
  {
    id: 'openEvaluationCycle',
    as: officer,
    params: () => ({ year: String(BATCH_YEAR) }),
    want: 200,
    perUnit: (b) => Number(b.evaluations),
    scales: 'batch action: one evaluation (and one workflow start) per active platform, by design',
  },
  { id: 'getEvaluationCycle', as: officer, params: () => ({ year: String(CYCLE_YEAR) }), want: 200 },
  { id: 'listEvaluations', as: officer, params: () => ({ year: String(CYCLE_YEAR) }), want: 200 },
  {
    id: 'getEvaluation',
    as: applicant,
    params: () => ({ year: String(CYCLE_YEAR), platformId: PLATFORM_ID }),
    want: 200,
  },
  {
    id: 'putEvaluationReport',
    as: applicant,
    params: () => ({ year: String(CYCLE_YEAR), platformId: PLATFORM_ID }),
    body: () => ({
      enterprisesServed: 45,
      partnerCount: 12,
      cases: 6,
      vouchersIssued: 20,
      vouchersSettled: 15,
      narrative: '全年服务企业 45 家',
    }),
    want: 200,
  },
  {
    id: 'createReportEvidence',
    as: applicant,
    params: () => ({ year: String(CYCLE_YEAR), platformId: PLATFORM_ID }),
    body: () => declaration('self_evaluation'),
    want: 201,
    keep: (b, s) => {
      s.reportEvidenceId = String(b.evidenceId);
      s.reportTicket = JSON.stringify(b);
    },
  },
  {
    id: 'confirmReportEvidence',
    as: applicant,
    before: (s) => upload(JSON.parse(s.reportTicket as string) as Json),
    params: (s) => ({
      year: String(CYCLE_YEAR),
      platformId: PLATFORM_ID,
      evidenceId: s.reportEvidenceId as string,
    }),
    want: 200,
  },
  {
    id: 'submitEvaluationReport',
    as: applicant,
    params: () => ({ year: String(CYCLE_YEAR), platformId: PLATFORM_ID }),
    want: 200,
  },
  {
    id: 'gradeEvaluation',
    as: officer,
    params: () => ({ year: String(CYCLE_YEAR), platformId: PLATFORM_ID }),
    body: () => ({ scores: { service: 80 } }),
    want: 200,
  },
  {
    id: 'listRevocationCandidates',
    as: officer,
    want: 200,
    scales: 'per page: one query of active platforms, then each platform’s evaluations (N+1 within the page)',
  },
  {
    id: 'openRevocation',
    as: officer,
    params: () => ({ platformId: PLATFORM_ID }),
    body: () => ({ ground: 'other', description: '严重违规', responseDeadline: '2026-03-15' }),
    want: 201,
    keep: (b, s) => {
      s.revocationId = String(b.id);
    },
  },
  { id: 'getRevocation', as: officer, params: (s) => ({ id: s.revocationId as string }), want: 200 },
  {
    id: 'respondToRevocation',
    as: applicant,
    params: (s) => ({ id: s.revocationId as string }),
    body: () => ({ statement: '我们已整改' }),
    want: 200,
  },
  { id: 'listRevocations', as: officer, want: 200 },
  {
    id: 'decideRevocation',
    as: approver,
    params: (s) => ({ id: s.revocationId as string }),
    body: () => ({ decision: 'dismiss', opinion: '已整改' }),
    want: 200,
  },
  {
    id: 'exportRanking',
    as: officer,
    query: () => ({ callId: CALL_ID }),
    want: 200,
    scales: 'an export reads what it exports: the call’s applications',
    perRow: true,
  },
  {
    id: 'exportRegistry',
    as: officer,
    want: 200,
    scales: 'an export reads what it exports: every active platform (bounded at 10,000 rows)',
    perRow: true,
  },
  {
    id: 'exportGrades',
    as: officer,
    query: () => ({ year: String(CYCLE_YEAR) }),
    want: 200,
    scales: 'an export reads what it exports: the year’s evaluations',
    perRow: true,
  },
  {
    id: 'exportRevocations',
    as: officer,
    want: 200,
    scales: 'an export reads what it exports: every case',
    perRow: true,
  },
  {
    id: 'retryReview',
    as: officer,
    before: async (s, h) => {
      // A second organisation's application whose review failed for good (the state machine's Catch).
      await h.call('createOrganisation', applicant2, {
        body: () => ({
          name: '中山重试科技有限公司',
          uscc: withCheckChar('91442000MA4BENCH2'),
          registeredCapitalCny: 60_000_000,
          address: '广东省中山市东区',
          legalRepresentative: '王五',
          contact: { name: '赵六', phone: '0760-88880001', email: 'zhao@bench.example' },
        }),
      });
      const app = await h.call('createApplication', applicant2, {
        params: () => ({ callId: CALL_ID }),
        body: () => ({
          consortium: [],
          partners: Array.from({ length: 10 }, (_, i) => ({ name: `伙伴${i}`, kind: 'company' })),
          registeredCapitalCny: 60_000_000,
          committedEnterprisesPerYear: 30,
          capabilities: ['models'],
          summary: '重试用',
        }),
      });
      s.retryAppId = String(app.id);
      await h.workflow('review', {
        action: 'recordFailure',
        applicationId: s.retryAppId,
        callId: CALL_ID,
        round: 0,
        executionName: reviewExecutionName(s.retryAppId),
        error: { Error: 'States.TaskFailed', Cause: 'bench' },
      });
    },
    params: (s) => ({ id: s.retryAppId as string }),
    want: 200,
  },
  {
    id: 'withdrawApplication',
    as: applicant2,
    params: (s) => ({ id: s.retryAppId as string }),
    want: 200,
  },
  {
    id: 'decideOrganisationVerification',
    as: officer,
    before: async (s, h) => {
      // An organisation registered outside Zhongshan (4419xx) waits for an officer's manual check.
      const org = await h.call('createOrganisation', applicant3, {
        body: () => ({
          name: '东莞核验科技有限公司',
          uscc: withCheckChar('91441900MA4BENCH3'),
          registeredCapitalCny: 60_000_000,
          address: '广东省东莞市',
          legalRepresentative: '钱七',
          contact: { name: '孙八', phone: '0769-88880002', email: 'sun@bench.example' },
        }),
      });
      s.pendingOrgId = String(org.id);
      await h.workflow('uscc-verification', {
        action: 'openHumanTask',
        kind: 'uscc_verification',
        orgId: s.pendingOrgId,
        executionName: `org-${s.pendingOrgId}`,
        stateName: 'OpenVerificationTask',
        taskToken: `bench-verification-${s.pendingOrgId}`,
      });
    },
    params: (s) => ({ orgId: s.pendingOrgId as string }),
    body: () => ({
      decision: 'verified',
      opinion: 'Business licence checked against the registered address.',
    }),
    want: 200,
  },
  {
    id: 'finalizeEvaluationCycle',
    as: approver,
    // After the report deadline (the sign-off waits for it); the clock is put back after the journey.
    before: async () => setClock(new Date('2026-04-01T02:00:00.000Z'), 'fixed'),
    params: () => ({ year: String(BATCH_YEAR) }),
    want: 200,
    perUnit: (b) => Object.values((b.counts ?? {}) as Record<string, number>).reduce((a, n) => a + n, 0),
    scales: 'batch action: every evaluation of the cycle, by design',
  },
  // Art. 6(3): the compute voucher ledger, on the journey's platform (clock 2026-04-01, the programme open).
  {
    id: 'createVoucherProgramme',
    as: officer,
    body: () => ({
      name: '2026 年中山市算力券（基准）',
      budgetCny: 1_000_000,
      validFrom: '2026-03-01T00:00:00.000Z',
      validUntil: '2026-12-31T15:59:59.999Z',
    }),
    want: 201,
    keep: (b, s) => {
      s.programmeId = String(b.id);
    },
  },
  { id: 'listVoucherProgrammes', as: officer, want: 200 },
  // Anyone: the open programmes (one query of the programmes not yet ended).
  { id: 'listPublicVoucherProgrammes', want: 200 },
  { id: 'getVoucherProgramme', as: observer, params: (s) => ({ id: s.programmeId as string }), want: 200 },
  {
    id: 'createVoucherAllocation',
    as: officer,
    params: (s) => ({ id: s.programmeId as string }),
    body: () => ({ platformId: PLATFORM_ID, quotaCny: 300_000 }),
    want: 201,
  },
  {
    id: 'createVoucherClaim',
    as: applicant2,
    params: () => ({ platformId: PLATFORM_ID }),
    body: (s) => ({ programmeId: s.programmeId, requestedCny: 50_000, purpose: '模型训练算力' }),
    want: 201,
    keep: (b, s) => {
      s.voucherClaimId = String(b.id);
    },
  },
  { id: 'listMyVoucherClaims', as: applicant2, want: 200 },
  { id: 'listPlatformVoucherClaims', as: applicant, params: () => ({ platformId: PLATFORM_ID }), want: 200 },
  {
    id: 'decideVoucherClaim',
    as: applicant,
    params: (s) => ({ id: s.voucherClaimId as string }),
    body: () => ({ decision: 'issue', faceValueCny: 50_000 }),
    want: 200,
    keep: (b, s) => {
      s.voucherCode = String((b.voucher as Json).code);
    },
  },
  {
    id: 'redeemVoucher',
    as: applicant,
    // A compute service of an independent supplier in the platform's catalogue (as the catalogue routes leave it).
    before: async () => {
      const at = '2026-04-01T02:00:00.000Z';
      await registry().transact({
        ops: [
          {
            kind: 'put',
            item: {
              ...serviceKey(PLATFORM_ID, 'bench-gpu'),
              type: 'catalogue-service',
              platformId: PLATFORM_ID,
              serviceId: 'bench-gpu',
              category: 'compute',
              name: 'H20 GPU 算力租用',
              provider: '中山基准算力有限公司',
              providerUscc: withCheckChar('91442000MA4BENCH5'),
              unit: 'GPU card-hour',
              priceRangeCny: { min: 6, max: 12 },
              available: true,
              version: 1,
              createdAt: at,
              updatedAt: at,
            },
          },
        ],
      });
    },
    params: (s) => ({ code: s.voucherCode as string }),
    body: (s) => ({
      supplierUscc: withCheckChar('91442000MA4BENCH5'),
      serviceId: 'bench-gpu',
      contractNo: 'BENCH-HT-001',
      contractAmountCny: 200_000,
      subsidyCny: 50_000,
      evidenceIds: [s.platformEvidenceId],
    }),
    want: 201,
    keep: (b, s) => {
      s.redemptionId = String(b.id);
    },
  },
  { id: 'listVoucherRedemptions', as: officer, params: (s) => ({ id: s.programmeId as string }), want: 200 },
  {
    id: 'listPlatformVoucherRedemptions',
    as: applicant,
    params: () => ({ platformId: PLATFORM_ID }),
    want: 200,
  },
  {
    id: 'settleRedemption',
    as: officer,
    params: (s) => ({ id: s.redemptionId as string }),
    body: () => ({ decision: 'approve', opinion: '合同、发票、付款凭证齐全，同意拨付' }),
    want: 200,
  },
  { id: 'getVoucherReport', as: approver, params: (s) => ({ id: s.programmeId as string }), want: 200 },
  { id: 'listVoucherLedger', as: observer, params: (s) => ({ id: s.programmeId as string }), want: 200 },
];

/** The world the journey starts from (uncounted): the open call, the host's platform, the 2026 cycle. */
async function seedJourneyWorld(orgId: string): Promise<void> {
  const now = new Date(NOW);
  const reg = registry();
  const call = {
    id: CALL_ID,
    title: '2026 年人工智能赋能平台认定',
    description: 'Call for recognition',
    opensAt: '2026-03-01T00:00:00.000Z',
    closesAt: '2026-03-31T16:00:00.000Z',
    requiredEvidence: [{ kind: 'business-licence', title: '营业执照', required: true }],
    scoringCriteria: [{ key: 'capability', title: '能力', weight: 1, max: 100 }],
    noticePeriod: { length: 5, unit: 'working_days' },
    status: 'open',
    createdBy: officer.sub,
    createdAt: '2026-02-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
    version: 2,
  };
  await new DynamoCallStore().create(
    call as Parameters<DynamoCallStore['create']>[0],
    auditEvent(now, SYSTEM_ACTOR, 'call.created', 'call', CALL_ID),
  );
  const platform = {
    id: PLATFORM_ID,
    applicationId: 'BENCHPLAT',
    callId: 'EARLIERCALL',
    orgId,
    hostName: '中山基准科技有限公司',
    uscc: withCheckChar('91442000MA4BENCH1'),
    summary: 'AI enablement',
    capabilities: ['算力调度'],
    consortium: [],
    status: 'active',
    recognisedAt: '2025-06-01T00:00:00.000Z',
    validUntil: '2027-12-31',
    noticeId: 'n-EARLIERCALL',
    createdAt: '2025-06-01T00:00:00.000Z',
    updatedAt: '2025-06-01T00:00:00.000Z',
    version: 1,
  } as Platform;
  const cycle: EvaluationCycle = {
    year: CYCLE_YEAR,
    reportDeadline: '2026-12-31T15:59:59.999Z',
    criteria: [{ key: 'service', title: '服务成效', weight: 1, max: 100 }],
    bands: { excellent: 90, good: 75, qualified: 60 },
    status: 'open',
    createdBy: officer.sub,
    createdAt: '2026-01-05T00:00:00.000Z',
    updatedAt: '2026-01-05T00:00:00.000Z',
    openedAt: '2026-01-06T00:00:00.000Z',
    openedBy: officer.sub,
    version: 2,
  };
  const evaluation = {
    id: evaluationIdFor(CYCLE_YEAR, PLATFORM_ID),
    year: CYCLE_YEAR,
    platformId: PLATFORM_ID,
    orgId,
    hostName: platform.hostName,
    status: 'awaiting_report',
    executionName: evaluationExecutionName(CYCLE_YEAR, PLATFORM_ID),
    reportDeadline: cycle.reportDeadline,
    createdAt: '2026-01-06T00:00:00.000Z',
    updatedAt: '2026-01-06T00:00:00.000Z',
    version: 1,
  } as Evaluation;
  await reg.transact({
    ops: [
      { kind: 'put', item: platformItem(platform), ifNew: true },
      { kind: 'put', item: cycleItem(cycle), ifNew: true },
      {
        kind: 'put',
        item: evaluationItem(evaluation, { at: cycle.reportDeadline, type: REPORT_OVERDUE }),
        ifNew: true,
      },
    ],
    audit: [auditEvent(now, SYSTEM_ACTOR, 'platform.recognised', 'platform', PLATFORM_ID)],
  });
}

interface ActionCost {
  readonly status: number;
  readonly cost: CounterSnapshot;
  /** `perUnit` of the answer, for batch actions. */
  readonly units?: number;
}

/** Runs the journey on the current table; returns each action's cost. */
async function runJourney(
  counter: DynamoCounter,
  handlers: Map<string, Handler>,
  page: number,
): Promise<Map<string, ActionCost>> {
  const engine = new RecordingWorkflowEngine();
  setWorkflowEngine(engine);
  setClock(new Date(NOW), 'fixed');
  const { handler: workflow } = await import('../functions/workflow/review.ts');
  const out = new Map<string, ActionCost>();
  const state: State = {};
  const send = async (step: Omit<Step, 'want'> & { want?: number }, s: State): Promise<Json> => {
    const r = route(step.id);
    const handler = handlers.get(r.group);
    if (!handler) throw new Error(`no handler for ${r.group}`);
    const shape = (r.request?.query as { shape?: Record<string, unknown> } | undefined)?.shape;
    const paged = shape && 'limit' in shape ? { limit: String(page) } : undefined;
    const query = step.query || paged ? { ...paged, ...step.query?.(s) } : undefined;
    const body = step.body?.(s);
    const params = step.params?.(s);
    const event = apiEvent(routeKey(r), {
      ...(step.as ? { caller: step.as } : {}),
      ...(params ? { params } : {}),
      ...(query ? { query } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const res = await handler(event, lambdaContext(`api-${r.group}`));
    if (step.want !== undefined && res.statusCode !== step.want)
      throw new Error(`${step.id}: got ${res.statusCode}, want ${step.want}: ${res.body ?? ''}`);
    const ct = res.headers?.['content-type'] ?? res.headers?.['Content-Type'] ?? '';
    return /json/.test(ct) && res.body ? jsonBody<Json>(res) : {};
  };
  const { handler: verification } = await import('../functions/workflow/uscc-verification.ts');
  let tokens = 0;
  const harness: Harness = {
    workflow: async (name, input) => {
      if (name === 'review') await workflow(input as Parameters<typeof workflow>[0]);
      else await verification(input as Parameters<typeof verification>[0]);
    },
    call: (id, caller, opts = {}, s = state) => send({ id, ...(caller ? { as: caller } : {}), ...opts }, s),
    openStep: async (s, kind, stateName) => {
      tokens += 1;
      await workflow({
        action: 'openHumanTask',
        kind,
        applicationId: s.appId,
        callId: CALL_ID,
        round: 0,
        executionName: reviewExecutionName(s.appId as string),
        stateName,
        taskToken: `bench-${kind}-${tokens}`,
      });
    },
  };
  counter.pause();
  for (const step of JOURNEY) {
    counter.pause();
    await step.before?.(state, harness);
    let status = 0;
    let units: number | undefined;
    const { cost } = await counter.measure(async () => {
      const body = await send(step, state);
      status = step.want;
      step.keep?.(body, state);
      units = step.perUnit?.(body);
    });
    counter.pause();
    out.set(step.id, { status, cost, ...(units !== undefined ? { units } : {}) });
  }
  setWorkflowEngine(undefined);
  setClock(undefined);
  return out;
}

/** Points the handlers at `table` (created if missing). */
async function useTable(table: string): Promise<void> {
  process.env.TABLE_NAME = table;
  resetEnv();
  await ensureTable(dynamoClient(), table);
}

const fmt = (c: CounterSnapshot): string =>
  `${c.requests} req, ${round2(c.readUnits)} RCU, ${round2(c.writeUnits)} WCU, ${c.items} items`;

/** Part 1: the journey at two registry sizes. */
async function perAction(
  ctx: BenchContext,
  sizes: Sizes,
  counter: DynamoCounter,
  prefix: string,
): Promise<Figure[]> {
  const handlers = new Map<string, Handler>();
  for (const group of new Set(routes.map((r) => r.group))) {
    const mod = (await import(new URL(`../functions/api/${group}.ts`, import.meta.url).href)) as {
      handler: Handler;
    };
    handlers.set(group, mod.handler);
  }
  const results: Map<string, ActionCost>[] = [];
  for (const [label, n] of [
    ['small', sizes.actionsSmall],
    ['large', sizes.actionsLarge],
  ] as const) {
    const table = `${prefix}-actions-${label}`;
    await useTable(table);
    counter.pause();
    const t0 = Date.now();
    await seedBackground(n, 'BG', { now: new Date(NOW) });
    ctx.log(`dynamo-work: ${label} registry, ${n} background items seeded in ${Date.now() - t0} ms`);
    // The platform's host organisation is created by the journey (a ULID id): `withWorld` seeds the
    // platform and the cycle once that organisation exists.
    results.push(await withWorld(counter, handlers, sizes.page));
    ctx.log(`dynamo-work: journey on the ${label} registry done`);
  }
  const [small, large] = results as [Map<string, ActionCost>, Map<string, ActionCost>];
  const figures: Figure[] = [];
  for (const step of JOURNEY) {
    const s = small.get(step.id);
    const l = large.get(step.id);
    if (!s || !l) continue;
    const r = route(step.id);
    const equal = s.cost.requests === l.cost.requests;
    const readsPerItem = (c: CounterSnapshot) => (c.items ? round2(c.readUnits / c.items) : undefined);
    const note =
      `${routeKey(r)}; small: ${fmt(s.cost)}; large: ${fmt(l.cost)}` +
      (readsPerItem(l.cost) !== undefined
        ? `; RCU/item ${readsPerItem(s.cost)} → ${readsPerItem(l.cost)}`
        : '') +
      (step.scales ? `; ${step.scales}` : '');
    if (step.perUnit) {
      const per = (c: ActionCost) => round2(c.cost.requests / Math.max(c.units ?? 0, 1));
      const ok = per(l) <= per(s);
      figures.push({
        section: SECTION,
        name: `${step.id} requests per evaluation`,
        value: per(l),
        unit: 'requests/evaluation',
        baseline: per(s),
        ratio: per(s) ? round2(per(l) / per(s)) : 1,
        goal: '≤ small per evaluation',
        met: ok,
        note: `${note}; evaluations ${s.units} → ${l.units}${ok ? '' : '; CAUSE: more requests per evaluation on the large registry'}`,
      });
      continue;
    }
    if (step.perRow) {
      const per = (c: CounterSnapshot) => round2(c.readUnits / Math.max(c.items, 1));
      const ok = per(l.cost) <= per(s.cost);
      figures.push({
        section: SECTION,
        name: `${step.id} reads per row`,
        value: per(l.cost),
        unit: 'RCU/row',
        baseline: per(s.cost),
        ratio: per(s.cost) ? round2(per(l.cost) / per(s.cost)) : 1,
        goal: '≤ small per row',
        met: ok,
        note: ok ? note : `${note}; CAUSE: reads more per exported row on the large registry`,
      });
      continue;
    }
    figures.push({
      section: SECTION,
      name: `${step.id} requests`,
      value: l.cost.requests,
      unit: 'requests',
      baseline: s.cost.requests,
      ratio: s.cost.requests ? round2(l.cost.requests / s.cost.requests) : 1,
      goal: 'constant (large = small)',
      met: equal,
      note: equal ? note : `${note}; CAUSE: ${step.scales ?? 'request count grows with the registry'}`,
    });
  }
  // One line for the summary table: how many actions kept their request count (the rest are above).
  const constant = figures.filter((f) => f.unit === 'requests');
  const kept = constant.filter((f) => f.met).length;
  figures.unshift({
    section: SECTION,
    name: 'API actions with constant requests',
    value: kept,
    unit: 'actions',
    baseline: constant.length,
    ratio: round2(kept / Math.max(constant.length, 1)),
    goal: 'all (large = small)',
    met: kept === constant.length,
    note:
      `${constant.length} actions at ${sizes.actionsSmall} vs ${sizes.actionsLarge} background records, ` +
      `list pages of ${sizes.page}; exports and cycle open/sign-off judged per row / per evaluation` +
      (kept === constant.length
        ? ''
        : `; CAUSE: ${constant
            .filter((f) => !f.met)
            .map((f) => f.name.split(' ')[0])
            .join(', ')} grow with the registry`),
  });
  return figures;
}

/** The journey's world is seeded after its first organisation exists (the platform's host). */
async function withWorld(
  counter: DynamoCounter,
  handlers: Map<string, Handler>,
  page: number,
): Promise<Map<string, ActionCost>> {
  const seedOnce = JOURNEY.findIndex((s) => s.id === 'getOrganisation');
  const original = JOURNEY[seedOnce] as Step;
  const patched: Step = {
    ...original,
    before: async (s, h) => {
      await seedJourneyWorld(s.orgId as string);
      await original.before?.(s, h);
    },
  };
  (JOURNEY as Step[])[seedOnce] = patched;
  try {
    return await runJourney(counter, handlers, page);
  } finally {
    (JOURNEY as Step[])[seedOnce] = original;
  }
}

/** Part 2: the deadline job at growing registry sizes with a fixed number of due items. */
async function deadlineJob(
  ctx: BenchContext,
  sizes: Sizes,
  counter: DynamoCounter,
  prefix: string,
): Promise<Figure[]> {
  const table = `${prefix}-deadlines`;
  await useTable(table);
  setClock(new Date(JOB_NOW), 'fixed');
  setWorkflowEngine(new RecordingWorkflowEngine());
  const { handler: job } = (await import('../functions/jobs/deadlines.ts')) as {
    handler: () => Promise<{ examined: number; acted: number }>;
  };
  // Warm-up on the empty table: the job plans the policy end and checks the calendar once per process
  // (hourly); neither belongs to the per-run cost measured below.
  counter.pause();
  await job();
  const clock = { now: new Date(JOB_NOW) };
  const runs: Array<{ label: string; size: number; due: number; cost: CounterSnapshot; examined: number }> =
    [];
  let seeded = 0;
  const measure = async (label: string, due: number) => {
    counter.pause();
    // The same ids every time (put again: pending, not yet reminded), so every run reads the same due
    // items from the same shards and only the registry around them differs.
    await seedDueTasks(due, 'D', clock);
    const { result, cost } = await counter.measure(() => job());
    counter.pause();
    runs.push({ label, size: seeded, due, cost, examined: result.examined });
    ctx.log(`dynamo-work: deadline job ${label}: examined ${result.examined}, ${fmt(cost)}`);
  };
  for (const size of sizes.job) {
    const t0 = Date.now();
    // Grow the same table: seed only the difference (distinct prefixes keep earlier items).
    const add = size - seeded;
    await seedBackground(add, `J${size}`, clock, { concurrency: 8 });
    seeded = size;
    ctx.log(`dynamo-work: deadline table grown to ${size} background items in ${Date.now() - t0} ms`);
    await measure(`${size}`, sizes.due);
    if (size === sizes.job[1]) await measure(`${size} many`, sizes.dueMany);
  }
  setWorkflowEngine(undefined);
  setClock(undefined);
  const base = runs[0];
  if (!base) return [];
  const figures: Figure[] = [];
  for (const r of runs) {
    const many = r.due !== sizes.due;
    const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
    const name = `deadline job @ ${k(r.size)}, ${r.due} due`;
    const note = `${fmt(r.cost)}; examined ${r.examined}; ${Object.entries(r.cost.byOperation)
      .map(([op, t]) => `${op} ${t.requests}`)
      .join(', ')}`;
    if (many) {
      // Grows with the due items: the baseline is the same registry with the fixed due set.
      const same = runs.find((x) => x.size === r.size && x.due === sizes.due) ?? base;
      figures.push({
        section: SECTION,
        name: `${name} (reads)`,
        value: r.cost.readUnits,
        unit: 'RCU',
        baseline: same.cost.readUnits,
        ratio: round2(r.cost.readUnits / (same.cost.readUnits || 1)),
        goal: 'grows with due items',
        met: r.cost.readUnits > same.cost.readUnits && r.examined === r.due,
        note,
      });
      continue;
    }
    const sameRequests = r.cost.requests === base.cost.requests;
    const sameReads = round2(r.cost.readUnits) === round2(base.cost.readUnits);
    figures.push({
      section: SECTION,
      name: `${name} (requests)`,
      value: r.cost.requests,
      unit: 'requests',
      baseline: base.cost.requests,
      ratio: round2(r.cost.requests / (base.cost.requests || 1)),
      goal: `constant (= @ ${k(base.size)})`,
      met: sameRequests && r.examined === r.due,
      note: sameRequests ? note : `${note}; CAUSE: requests grow with the registry`,
    });
    figures.push({
      section: SECTION,
      name: `${name} (reads)`,
      value: round2(r.cost.readUnits),
      unit: 'RCU',
      baseline: round2(base.cost.readUnits),
      ratio: round2(r.cost.readUnits / (base.cost.readUnits || 1)),
      goal: `constant (= @ ${k(base.size)})`,
      met: sameReads,
      ...(sameReads ? {} : { note: 'CAUSE: read units grow with the registry' }),
    });
  }
  return figures;
}

/** Where the part's DynamoDB Local and s3rver are: started here unless given (the test's shared ones). */
export interface Endpoints {
  readonly dynamo: string;
  readonly s3: string;
}

/**
 * Runs the part. Without `endpoints` it starts its own DynamoDB Local (in memory) and s3rver; either way
 * it uses its own tables and bucket and restores the environment it changed.
 */
export async function runDynamoWork(ctx: BenchContext, endpoints?: Endpoints): Promise<Figure[]> {
  const sizes = ctx.quick ? QUICK : FULL;
  const saved = { ...process.env };
  const stops: Array<() => Promise<void>> = [];
  let s3Dir: string | undefined;
  try {
    const host = '127.0.0.1';
    if (!endpoints) {
      s3Dir = mkdtempSync(path.join(ctx.scratchDir || os.tmpdir(), 'dynamo-work-s3-'));
      const s3 = await startS3rver({ port: await freePort(host), host, directory: s3Dir });
      stops.push(() => s3.stop());
      process.env.S3_ENDPOINT = s3.endpoint;
    } else process.env.S3_ENDPOINT = endpoints.s3;
    const prefix = `bench-dw-${Date.now().toString(36)}`;
    Object.assign(process.env, {
      TABLE_NAME: `${prefix}-actions-small`,
      EVIDENCE_BUCKET: prefix,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'cn-north-1',
      STAGE: 'test',
    });
    /**
     * Each phase on its own DynamoDB Local (unless the test's shared one is given): DynamoDB Local writes
     * about ten times slower in a process where a large table was written before, so a phase never
     * inherits another's tables. A fresh counter goes on each phase's client.
     */
    const phase = async (fn: (counter: DynamoCounter) => Promise<Figure[]>): Promise<Figure[]> => {
      const dynamo = endpoints ? undefined : await startDynamoDbLocal({ port: await freePort(host), host });
      try {
        process.env.DYNAMODB_ENDPOINT = endpoints?.dynamo ?? dynamo?.endpoint;
        resetEnv();
        resetClients();
        const counter = new DynamoCounter().attach(dynamoClient());
        counter.pause();
        return await fn(counter);
      } finally {
        resetClients();
        await dynamo?.stop();
      }
    };
    resetEnv();
    resetClients();
    await ensureBucket(s3Client(), prefix);
    const figures = [
      ...(await phase((counter) => perAction(ctx, sizes, counter, prefix))),
      ...(await phase((counter) => deadlineJob(ctx, sizes, counter, prefix))),
    ];
    return figures;
  } finally {
    setWorkflowEngine(undefined);
    setClock(undefined);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    resetEnv();
    resetClients();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
  }
}

export const run: BenchPart = (ctx) => runDynamoWork(ctx);
