import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewExecutionName } from '../../functions/core/recognition-model.ts';
import { USCC_CHARSET, withCheckChar } from '../../functions/core/uscc.ts';
import { type DemoResult, runDemo } from '../../scripts/demo.ts';
import { client, eventually, type RunningRuntime, removeDataDir, startRuntime } from './support/runtime.ts';

/**
 * Chapter 3 of the measures end to end (Art. 7–9), over HTTP against `npm start`'s runtime: the demo's
 * whole recognition (call → two applicants, one ineligible → evidence → review workflow → ranking →
 * notice with an objection → published platform), with a restart of the runtime while the review waits
 * for the preliminary review; then the failure paths of issue 3's "rules to get exactly right".
 */

let rt: RunningRuntime;
let api: ReturnType<typeof client>;
let journey: DemoResult;
let restart: { waitingBefore: boolean; waitingAfter: boolean; exit: number | null } | undefined;
const lines: string[] = [];

let seq = 0;
/** A valid Zhongshan enterprise USCC, unique to this file's run. */
const zhongshanUscc = (): string => {
  seq += 1;
  const n = `${Date.now().toString(36)}${seq}`.toUpperCase().replace(/[IOSVZ]/g, '1');
  const org = [...n.padStart(9, '0').slice(-9)].map((c) => (USCC_CHARSET.includes(c) ? c : '0')).join('');
  return withCheckChar(`91442000${org}`);
};

const setClock = async (at: Date | string, mode: 'fixed' | 'offset' = 'fixed') => {
  const res = await api.post('/dev/clock', { now: new Date(at).toISOString(), mode });
  expect(res.status).toBe(200);
};

async function waitingFor(applicationId: string): Promise<boolean> {
  const res = await api.get<{ items: Array<{ executionName: string; stateName: string }> }>(
    '/dev/workflows/waiting',
  );
  return res.body.items.some((w) => w.executionName === reviewExecutionName(applicationId));
}

beforeAll(async () => {
  rt = await startRuntime();
  api = client(rt.url);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) removeDataDir(rt.dataDir);
});

describe('the recognition journey (npm run demo)', () => {
  it('publishes a recognised platform, and the review survives a restart of npm start while it waits', async () => {
    // Act
    journey = await runDemo({
      apiUrl: rt.url,
      log: (line) => lines.push(line),
      whileWaitingForPreliminaryReview: async ({ applicationId }) => {
        const waitingBefore = await waitingFor(applicationId);
        const { now } = (await api.get<{ now: string }>('/dev/clock')).body;
        const { dataDir, ports } = rt;
        const stopped = await rt.stop('SIGINT');
        rt = await startRuntime({ dataDir, ports });
        api = client(rt.url);
        // The business clock is the process's: continue from where the demo had moved it.
        await setClock(now, 'offset');
        restart = { waitingBefore, waitingAfter: await waitingFor(applicationId), exit: stopped.code };
      },
    });

    // Assess
    expect(restart).toEqual({ waitingBefore: true, waitingAfter: true, exit: 0 });
    expect(journey.finalStatus).toBe('recognised');
    expect(journey.platformIds).toContain(`p-${journey.applicationId}`);
    expect(journey.auditActions).toEqual(
      expect.arrayContaining([
        'application.created',
        'evidence.verified',
        'application.submitted',
        'application.preliminary_reviewed',
        'application.experts_assigned',
        'application.expert_reviewed',
        'application.site_inspected',
        'application.recognised',
      ]),
    );
    expect(journey.applicantNotifications.length).toBeGreaterThan(0);
    const execution = await api.get<{ status: string }>(
      `/dev/workflows/review/executions/${reviewExecutionName(journey.applicationId)}`,
    );
    expect(execution.body.status).toBe('SUCCEEDED');
  }, 180_000);

  it('shows the platform on the public registry, valid until the policy end date (Art. 14)', async () => {
    const res = await api.get<{ items: Array<{ id: string; status: string; validUntil: string }> }>(
      '/v1/public/platforms?limit=100',
    );
    expect(res.body.items.find((p) => p.id === `p-${journey.applicationId}`)).toMatchObject({
      status: 'active',
      validUntil: '2027-12-31',
    });
  });

  it('public routes reveal no objector identity, no evidence and no applicant contact', async () => {
    // Act
    const bodies = await Promise.all(
      [
        '/v1/public/notices',
        `/v1/public/notices/${journey.noticeId}`,
        '/v1/public/platforms?limit=100',
        `/v1/calls/${journey.callId}`,
      ].map(async (path) => {
        const res = await api.get(path);
        expect(res.status, path).toBe(200);
        return JSON.stringify(res.body);
      }),
    );

    // Assess
    for (const text of bodies) {
      expect(text).not.toContain(journey.objector.name);
      expect(text).not.toContain(journey.objector.contact);
      expect(text).not.toContain(journey.objectionId);
      expect(text).not.toMatch(/objectorName|"contact"/);
      expect(text).not.toContain(journey.subs.owner);
      expect(text).not.toContain(`contact-${journey.run}@example.com`);
      for (const sha of journey.evidenceSha256) expect(text).not.toContain(sha);
      expect(text).not.toMatch(/evidenceId|sha256/);
    }
  });

  it('refuses an objection after the notice period ended with 409', async () => {
    // Prepare
    await setClock(new Date(new Date(journey.noticeEndsAt).getTime() + 1000));

    // Act
    const res = await api.post(`/v1/public/notices/${journey.noticeId}/objections`, {
      applicationId: journey.applicationId,
      objectorName: '赵六',
      objectorType: 'individual',
      contact: 'zhaoliu@example.com',
      reason: '公示期结束后的异议应被拒绝。/ Too late.',
    });

    // Assess
    expect(res.status).toBe(409);
  });

  it('answers 404 to another applicant and to an unassigned expert (never their data)', async () => {
    // Prepare
    const other = await api.token(journey.subs.otherApplicant, ['applicant']);
    const expert = await api.token(journey.subs.unassignedExpert, ['expert']);
    const id = journey.applicationId;

    // Act
    const answers = await Promise.all([
      api.get(`/v1/applications/${id}`, other),
      api.get(`/v1/applications/${id}/evidence`, other),
      api.call('PATCH', `/v1/applications/${id}`, { token: other, body: { summary: '篡改 / tampered' } }),
      api.post(`/v1/applications/${id}/withdraw`, {}, { token: other }),
      api.get(`/v1/applications/${id}`, expert),
      api.get(`/v1/applications/${id}/evidence`, expert),
      api.post(
        `/v1/applications/${id}/reviews`,
        {
          conflictOfInterest: false,
          scores: { resources: 100, services: 100, operations: 100 },
          comment: 'x',
        },
        { token: expert },
      ),
    ]);

    // Assess
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(journey.subs.owner);
    }
  });
});

/** A published call with no required evidence (so submission depends on the deadline alone). */
async function openCall(officer: string, opensAt: Date, closesAt: Date): Promise<string> {
  const created = await api.post<{ id: string }>(
    '/v1/calls',
    {
      title: `边界测试 ${opensAt.toISOString()}`,
      description: 'Deadline boundaries of Art. 8(1).',
      opensAt: opensAt.toISOString(),
      closesAt: closesAt.toISOString(),
      requiredEvidence: [],
      scoringCriteria: [{ key: 'overall', title: '综合 / Overall', weight: 1, max: 100 }],
      noticePeriod: { length: 5, unit: 'working_days' },
    },
    { token: officer },
  );
  expect(created.status).toBe(201);
  expect((await api.post(`/v1/calls/${created.body.id}/publish`, {}, { token: officer })).status).toBe(200);
  return created.body.id;
}

/** A new applicant with an organisation and an eligible draft application on the call. */
async function eligibleDraft(callId: string, name: string): Promise<{ token: string; id: string }> {
  const token = await api.token(`applicant-${name}-${Date.now()}-${seq}`, ['applicant']);
  const org = await api.post(
    '/v1/organisations',
    {
      name: `中山${name}科技有限公司`,
      uscc: zhongshanUscc(),
      registeredCapitalCny: 50_000_000,
      address: '广东省中山市石岐区',
      legalRepresentative: '张三',
      contact: { name: '李四', phone: '0760-8888 0000', email: 'li@example.com' },
    },
    { token },
  );
  expect(org.status).toBe(201);
  const app = await api.post<{ id: string; eligibility: { eligible: boolean } }>(
    `/v1/calls/${callId}/applications`,
    {
      consortium: [],
      partners: Array.from({ length: 10 }, (_, i) => ({ name: `伙伴${i}`, kind: 'company' })),
      registeredCapitalCny: 50_000_000,
      committedEnterprisesPerYear: 30,
      capabilities: ['算力'],
      summary: '恰好满足第九条各项门槛的申报。/ Exactly at every Art. 9 threshold.',
    },
    { token },
  );
  expect(app.status).toBe(201);
  expect(app.body.eligibility.eligible).toBe(true);
  return { token, id: app.body.id };
}

describe('deadlines (Art. 8(1)): server-enforced, to the second', () => {
  it.each([
    ['one second before closesAt', 200, -1000],
    ['at closesAt', 409, 0],
    ['one second after closesAt', 409, 1000],
  ])('a submission %s → %i', async (_what, status, offsetMs) => {
    // Prepare
    const officer = await api.token('officer-deadlines', ['officer']);
    const t0 = new Date(Date.UTC(2031, 2, 3, 1, 0, 0) + seq * 86_400_000);
    await setClock(t0);
    const closesAt = new Date(t0.getTime() + 3_600_000);
    const callId = await openCall(officer, new Date(t0.getTime() + 60_000), closesAt);
    await setClock(new Date(t0.getTime() + 120_000));
    const draft = await eligibleDraft(callId, `late${offsetMs}`);

    // Act
    await setClock(new Date(closesAt.getTime() + offsetMs));
    const res = await api.post<{ code?: string }>(
      `/v1/applications/${draft.id}/submit`,
      {},
      { token: draft.token },
    );

    // Assess
    expect(res.status).toBe(status);
    if (status === 409) expect(res.body.code).toBe('CALL_CLOSED');
  });

  it.each([
    ['one second before the supplement deadline', 200, -1000],
    ['one second after the supplement deadline', 409, 1000],
  ])('a resubmission of a returned application %s → %i', async (_what, status, offsetMs) => {
    // Prepare: an application returned for supplements with a deadline two days out
    const officer = await api.token('officer-supplements', ['officer']);
    const t0 = new Date(Date.UTC(2032, 3, 5, 1, 0, 0) + seq * 86_400_000);
    await setClock(t0, 'offset');
    const callId = await openCall(
      officer,
      new Date(t0.getTime() + 60_000),
      new Date(t0.getTime() + 30 * 86_400_000),
    );
    await setClock(new Date(t0.getTime() + 120_000), 'offset');
    const draft = await eligibleDraft(callId, `supp${offsetMs}`);
    expect((await api.post(`/v1/applications/${draft.id}/submit`, {}, { token: draft.token })).status).toBe(
      200,
    );
    await eventually(async () => {
      const tasks = await api.get<{ items: Array<{ entityId: string; kind: string }> }>('/v1/tasks', officer);
      return tasks.body.items.some((t) => t.entityId === draft.id && t.kind === 'preliminary_review');
    }, 'the preliminary review task');
    const deadline = new Date(t0.getTime() + 2 * 86_400_000);
    const returned = await api.post(
      `/v1/applications/${draft.id}/preliminary-review`,
      {
        decision: 'return',
        opinion: '请补充合作协议原件。/ Please supply the signed partner agreements.',
        supplementDeadline: deadline.toISOString(),
      },
      { token: officer },
    );
    expect(returned.status).toBe(200);
    // The owner acts once the supplement step is in their inbox (the workflow opens it just after the decision).
    await eventually(async () => {
      const tasks = await api.get<{ items: Array<{ entityId: string; kind: string }> }>(
        '/v1/tasks',
        draft.token,
      );
      return tasks.body.items.some((t) => t.entityId === draft.id && t.kind === 'supplement');
    }, 'the supplement task in the owner’s inbox');

    // Act
    await setClock(new Date(deadline.getTime() + offsetMs));
    const res = await api.post<{ status?: string; code?: string }>(
      `/v1/applications/${draft.id}/submit`,
      {},
      { token: draft.token },
    );

    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(status);
  });
});
