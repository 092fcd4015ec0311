import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { useLocalServices } from './support/services.ts';

const { handler } = await import('../../functions/api/organisations.ts');
const { handler: auditHandler } = await import('../../functions/api/audit.ts');
const { handler: workflowHandler } = await import('../../functions/workflow/uscc-verification.ts');

let seq = 0;
const next = (): number => {
  seq += 1;
  return seq;
};
/** A fresh Zhongshan enterprise code with a correct check character. */
const zhongshanUscc = () =>
  withCheckChar(`91442000MA${String(100000 + next()).padStart(6, '0')}X`.slice(0, 17));
const applicant = (): Caller => ({ sub: `applicant-${next()}`, roles: ['applicant'] });
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const officer2: Caller = { sub: 'officer-2', roles: ['officer'] };

const orgBody = (uscc: string) => ({
  name: '中山智算科技有限公司',
  uscc,
  registeredCapitalCny: 60_000_000,
  address: '广东省中山市火炬开发区',
  legalRepresentative: '张三',
  contact: { name: '李四', phone: '+86 760 8888 0000', email: 'li@example.cn' },
});

const create = (caller: Caller, body: unknown, headers?: Record<string, string>) =>
  handler(
    apiEvent('POST /v1/organisations', { caller, body, ...(headers ? { headers } : {}) }),
    lambdaContext(),
  );
const get = (caller: Caller, orgId: string) =>
  handler(apiEvent('GET /v1/organisations/{orgId}', { caller, params: { orgId } }), lambdaContext());
const decide = (caller: Caller, orgId: string, decision: 'verified' | 'rejected' = 'verified') =>
  handler(
    apiEvent('POST /v1/organisations/{orgId}/verification', {
      caller,
      params: { orgId },
      body: { decision, opinion: 'Business licence checked against the registered address.' },
    }),
    lambdaContext(),
  );

let engine: RecordingWorkflowEngine;

beforeAll(async () => {
  await useLocalServices('orgs');
});
beforeEach(() => {
  engine = new RecordingWorkflowEngine();
  setWorkflowEngine(engine);
});
afterAll(() => {
  setWorkflowEngine(undefined);
  setClock(undefined);
});

describe('POST /v1/organisations', () => {
  it('registers a Zhongshan organisation with a correct code: 201, no verification, audited', async () => {
    // Prepare
    const caller = applicant();
    const uscc = zhongshanUscc();
    // Act
    const res = await create(caller, orgBody(uscc.toLowerCase()));
    // Assess
    expect(res.statusCode).toBe(201);
    const body = jsonBody<{
      id: string;
      usccCheck: Record<string, unknown>;
      verification: { status: string };
    }>(res);
    expect(body.usccCheck).toMatchObject({
      valid: true,
      checkDigitOk: true,
      regionCode: '442000',
      inZhongshan: true,
    });
    expect(body.verification.status).toBe('not_required');
    expect(engine.started).toEqual([]);
    const stored = jsonBody(await get(caller, body.id));
    expect(stored).toMatchObject({ id: body.id, uscc, version: 1 });
    expect(stored).not.toHaveProperty('memberSubs');
    const audit = await registry().listAudit(body.id, 10);
    expect(audit.items.map((e) => e.action)).toEqual(['organisation.registered']);
    expect(audit.items[0]?.actor).toEqual({ sub: caller.sub, roles: ['applicant'] });
  });

  it.each([
    ['a failed check character', '91350100M0001TGQXM', { checkDigitOk: false, inZhongshan: false }],
    ['a Dongguan code', withCheckChar('91441900MA4UQ2B37'), { checkDigitOk: true, inZhongshan: false }],
  ])('accepts %s for manual verification and starts the workflow', async (_label, uscc, check) => {
    const res = await create(applicant(), orgBody(uscc));
    expect(res.statusCode).toBe(201);
    const body = jsonBody<{ id: string; usccCheck: unknown; verification: { status: string } }>(res);
    expect(body.usccCheck).toMatchObject({ valid: true, ...check });
    expect(body.verification.status).toBe('pending');
    expect(engine.started).toEqual([
      { workflow: 'uscc-verification', executionName: `org-${body.id}`, input: { orgId: body.id } },
    ]);
  });

  it.each([
    ['too short', '9144200012345', 'exactly 18 characters'],
    [
      'an O (not in the charset)',
      withCheckChar('91442000MA4UQ2B3O'.replace('O', '0')).replace(/.$/, 'O'),
      'charset',
    ],
    ['letters in the region', withCheckChar('91AB2000MA4UQ2B37'), 'division'],
  ])('400 for a code that is %s, naming the field', async (_label, uscc, fragment) => {
    const res = await create(applicant(), orgBody(uscc));
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    const problem = jsonBody<{ code: string; errors: Array<{ path: string; message: string }> }>(res);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.some((e) => e.path.endsWith('uscc') && e.message.includes(fragment))).toBe(true);
  });

  it('400 with errors[] for missing and unknown fields', async () => {
    const { contact: _c, ...partial } = orgBody(zhongshanUscc());
    const res = await create(applicant(), { ...partial, extra: 1 });
    expect(res.statusCode).toBe(400);
    const paths = jsonBody<{ errors: Array<{ path: string }> }>(res).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.contact', 'body']));
  });

  it('409 USCC_ALREADY_REGISTERED for a code registered by another applicant', async () => {
    const uscc = zhongshanUscc();
    expect((await create(applicant(), orgBody(uscc))).statusCode).toBe(201);
    const res = await create(applicant(), orgBody(uscc));
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res).code).toBe('USCC_ALREADY_REGISTERED');
  });

  it('409 ALREADY_HAS_ORGANISATION for a second organisation of the same account', async () => {
    const caller = applicant();
    expect((await create(caller, orgBody(zhongshanUscc()))).statusCode).toBe(201);
    const res = await create(caller, orgBody(zhongshanUscc()));
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res).code).toBe('ALREADY_HAS_ORGANISATION');
  });

  it('401 without a token, 403 for an officer', async () => {
    const anonymous = await handler(
      apiEvent('POST /v1/organisations', { body: orgBody(zhongshanUscc()) }),
      lambdaContext(),
    );
    expect(anonymous.statusCode).toBe(401);
    const wrongRole = await create(officer, orgBody(zhongshanUscc()));
    expect(wrongRole.statusCode).toBe(403);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, 422 for another body', async () => {
    const caller = applicant();
    const body = orgBody(zhongshanUscc());
    const first = await create(caller, body, { 'Idempotency-Key': 'create-org-1' });
    expect(first.statusCode).toBe(201);
    const again = await create(caller, body, { 'Idempotency-Key': 'create-org-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(jsonBody(again)).toEqual(jsonBody(first));
    const reused = await create(
      caller,
      { ...body, name: 'Another name Ltd' },
      { 'Idempotency-Key': 'create-org-1' },
    );
    expect(reused.statusCode).toBe(422);
    expect(jsonBody(reused).code).toBe('IDEMPOTENCY_KEY_REUSED');
    const audit = await registry().listAudit(jsonBody<{ id: string }>(first).id, 10);
    expect(audit.items).toHaveLength(1);
  });

  it('keys are per caller: another applicant with the same key creates its own', async () => {
    const a = await create(applicant(), orgBody(zhongshanUscc()), { 'Idempotency-Key': 'shared-key' });
    const b = await create(applicant(), orgBody(zhongshanUscc()), { 'Idempotency-Key': 'shared-key' });
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.headers?.['idempotent-replayed']).toBeUndefined();
    expect(jsonBody(a).id).not.toBe(jsonBody(b).id);
  });

  it.each(['', 'has space', 'x'.repeat(129)])('400 for a malformed key %j', async (key) => {
    const res = await create(applicant(), orgBody(zhongshanUscc()), { 'Idempotency-Key': key });
    expect(res.statusCode).toBe(400);
  });
});

describe('GET /v1/organisations/{orgId}', () => {
  it('404 for another applicant (never 403, never the data); 200 for officer and approver', async () => {
    const owner = applicant();
    const { id } = jsonBody<{ id: string }>(await create(owner, orgBody(zhongshanUscc())));
    const other = await get(applicant(), id);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('中山智算');
    expect((await get(officer, id)).statusCode).toBe(200);
    expect((await get({ sub: 'approver-1', roles: ['approver'] }, id)).statusCode).toBe(200);
    expect((await get(applicant(), 'no-such-org')).statusCode).toBe(404);
  });

  it('400 for a malformed id', async () => {
    const res = await get(officer, 'bad id!');
    expect(res.statusCode).toBe(400);
    expect(jsonBody<{ errors: Array<{ path: string }> }>(res).errors[0]?.path).toBe('params.orgId');
  });
});

describe('POST /v1/organisations/{orgId}/verification', () => {
  async function pendingOrganisation(): Promise<{ id: string; token: string }> {
    const { id } = jsonBody<{ id: string }>(
      await create(applicant(), orgBody(withCheckChar(`91441900MA${String(200000 + next())}X`))),
    );
    const token = `token-${id}`;
    await workflowHandler({
      action: 'openHumanTask',
      kind: 'uscc_verification',
      orgId: id,
      executionName: `org-${id}`,
      stateName: 'OpenVerificationTask',
      taskToken: token,
    });
    return { id, token };
  }

  it('an officer verifies: 200, version bumped, task completed, audit with opinion, task token released', async () => {
    const { id, token } = await pendingOrganisation();
    const res = await decide(officer, id);
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({
      verification: { status: 'verified', decidedBy: officer.sub },
      version: 2,
    });
    expect(engine.successes).toEqual([
      { taskToken: token, output: expect.objectContaining({ decision: 'verified', decidedBy: officer.sub }) },
    ]);
    const audit = await registry().listAudit(id, 10);
    expect(audit.items.map((e) => e.action)).toEqual([
      'organisation.registered',
      'organisation.verification_decided',
    ]);
    expect(audit.items[1]?.detail.opinion).toContain('Business licence');
    const again = await decide(officer, id);
    expect(again.statusCode).toBe(409);
    expect(jsonBody(again).code).toBe('NOT_PENDING');
  });

  it('two officers racing: exactly one 200, one 409, one decision in the audit', async () => {
    const { id } = await pendingOrganisation();
    const results = await Promise.all([decide(officer, id, 'verified'), decide(officer2, id, 'rejected')]);
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 409]);
    const audit = await registry().listAudit(id, 10);
    expect(audit.items.filter((e) => e.action === 'organisation.verification_decided')).toHaveLength(1);
    expect(engine.successes).toHaveLength(1);
  });

  it('409 NOT_PENDING for an organisation that needs no verification; 403 for an applicant', async () => {
    const owner = applicant();
    const { id } = jsonBody<{ id: string }>(await create(owner, orgBody(zhongshanUscc())));
    const res = await decide(officer, id);
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res).code).toBe('NOT_PENDING');
    expect((await decide(owner, id)).statusCode).toBe(403);
  });
});

describe('GET /v1/audit', () => {
  it('pages with an opaque cursor; a forged cursor is 400', async () => {
    const { id } = jsonBody<{ id: string }>(await create(applicant(), orgBody(zhongshanUscc())));
    const page = await auditHandler(
      apiEvent('GET /v1/audit', { caller: officer, query: { entityId: id, limit: '1' } }),
      lambdaContext(),
    );
    expect(page.statusCode).toBe(200);
    const forged = Buffer.from(JSON.stringify({ pk: 'AUDIT#someone-else', sk: 'x' })).toString('base64url');
    const res = await auditHandler(
      apiEvent('GET /v1/audit', { caller: officer, query: { entityId: id, cursor: forged } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(400);
    expect(jsonBody(res).code).toBe('INVALID_CURSOR');
    const applicantRes = await auditHandler(
      apiEvent('GET /v1/audit', { caller: applicant(), query: { entityId: id } }),
      lambdaContext(),
    );
    expect(applicantRes.statusCode).toBe(403);
  });
});
