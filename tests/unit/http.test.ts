import '../support/quiet-logs.ts';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/shared/errors.ts';
import { type ApiRequest, httpHandler, MAX_BODY_BYTES } from '../../functions/shared/http.ts';
import { IdempotencyRaceError, type IdempotencyRecord } from '../../functions/shared/idempotency.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';

/** The factory with fake implementations: what reaches an implementation, and what never does. */
const applicant: Caller = { sub: 'u1', roles: ['applicant'] };
const validBody = {
  name: 'Acme Ltd',
  uscc: '91350100M000100Y43',
  registeredCapitalCny: 1,
  address: 'Zhongshan',
  legalRepresentative: 'A',
  contact: { name: 'B', phone: '0760-1234567', email: 'b@example.cn' },
};

const calls: ApiRequest[] = [];
const records = new Map<string, IdempotencyRecord>();
let behaviour: 'ok' | 'conflict' | 'bug' | 'race' = 'ok';

const handler = httpHandler(
  'organisations',
  {
    createOrganisation: async (req) => {
      calls.push(req);
      if (behaviour === 'conflict') throw new ConflictError('USCC_ALREADY_REGISTERED', 'taken');
      if (behaviour === 'bug') throw new TypeError('undefined is not a function');
      if (behaviour === 'race') {
        const ctx = req.idempotency;
        if (ctx) {
          records.set(`${ctx.scope}/${ctx.key}`, {
            requestHash: ctx.requestHash,
            routeKey: ctx.routeKey,
            response: { status: 201, body: { id: 'winner' } },
            expiresAt: Math.floor(Date.now() / 1000) + 60,
          });
        }
        throw new IdempotencyRaceError('raced');
      }
      return { status: 201, body: { id: 'new', name: (req.body as { name: string }).name } };
    },
    getMyOrganisation: async () => ({ status: 200, body: { id: 'mine' } }),
    getOrganisation: async (req) => ({ status: 200, body: { id: req.params.orgId } }),
    decideOrganisationVerification: async () => ({ status: 204 }),
  },
  { idempotency: async (scope, key) => records.get(`${scope}/${key}`) },
);

const post = (body: unknown, opts: { caller?: Caller; headers?: Record<string, string> } = {}) =>
  handler(
    apiEvent('POST /v1/organisations', {
      caller: opts.caller ?? applicant,
      body,
      ...(opts.headers ? { headers: opts.headers } : {}),
    }),
    lambdaContext(),
  );

describe('httpHandler', () => {
  it('passes the validated, normalised request to the implementation', async () => {
    behaviour = 'ok';
    calls.length = 0;
    const res = await post({ ...validBody, uscc: ' 91350100m000100y43 ' });
    expect(res.statusCode).toBe(201);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(jsonBody(res)).toEqual({ id: 'new', name: 'Acme Ltd' });
    expect(calls[0]?.principal).toEqual({ sub: 'u1', roles: ['applicant'] });
    expect((calls[0]?.body as { uscc: string } | undefined)?.uscc).toBe('91350100M000100Y43');
    expect(calls[0]?.headers?.['content-type']).toBe('application/json');
  });

  it.each([
    ['no token', undefined, 401, 'UNAUTHORIZED'],
    ['a role the route does not allow', { sub: 'o', roles: ['officer'] } as Caller, 403, 'FORBIDDEN'],
    ['no known role', { sub: 'o', roles: [] } as Caller, 403, 'FORBIDDEN'],
  ])('%s → %i', async (_label, caller, status, code) => {
    calls.length = 0;
    const res = await handler(
      apiEvent('POST /v1/organisations', { ...(caller ? { caller } : {}), body: validBody }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(status);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(jsonBody(res).code).toBe(code);
    expect(calls).toEqual([]);
  });

  it('400 VALIDATION_FAILED lists every field to fix, including unknown ones', async () => {
    const { address: _a, ...rest } = validBody;
    const res = await post({ ...rest, registeredCapitalCny: -1, surprise: true });
    expect(res.statusCode).toBe(400);
    const problem = jsonBody<{
      code: string;
      errors: Array<{ path: string; message: string }>;
      detail: string;
    }>(res);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e) => e.path).sort()).toEqual([
      'body',
      'body.address',
      'body.registeredCapitalCny',
    ]);
    expect(problem.errors.find((e) => e.path === 'body')?.message).toMatch(/unknown field\(s\): surprise/);
  });

  it.each([
    ['malformed JSON', '{"name": ', { 'content-type': 'application/json' }, 400, 'MALFORMED_JSON'],
    ['a text body', 'name=x', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no content type', '{}', { 'content-type': '' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an empty body', '', { 'content-type': 'application/json' }, 400, 'VALIDATION_FAILED'],
  ])('%s → %s %s', async (_label, body, headers, status, code) => {
    const event = apiEvent('POST /v1/organisations', { caller: applicant, headers });
    const res = await handler({ ...event, body }, lambdaContext());
    expect(res.statusCode).toBe(status);
    expect(jsonBody(res).code).toBe(code);
  });

  it.each([
    [MAX_BODY_BYTES - 1, 400],
    [MAX_BODY_BYTES, 400],
    [MAX_BODY_BYTES + 1, 413],
  ])('a body of exactly %i bytes → %i', async (size, status) => {
    const base = JSON.stringify({ ...validBody, name: '' }).length;
    const body = JSON.stringify({ ...validBody, name: 'x'.repeat(size - base) });
    expect(Buffer.byteLength(body)).toBe(size);
    const res = await post(body);
    // At or below the limit the body is parsed (and then fails the name's max length): never 413.
    expect(res.statusCode).toBe(status);
    if (status === 413) expect(jsonBody(res).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('accepts base64-encoded bodies and +json media types', async () => {
    behaviour = 'ok';
    const event = apiEvent('POST /v1/organisations', {
      caller: applicant,
      headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
    });
    const res = await handler(
      { ...event, body: Buffer.from(JSON.stringify(validBody)).toString('base64'), isBase64Encoded: true },
      lambdaContext(),
    );
    expect(res.statusCode).toBe(201);
  });

  it('validates path parameters and maps domain and unknown errors', async () => {
    const bad = await handler(
      apiEvent('GET /v1/organisations/{orgId}', { caller: applicant, params: { orgId: 'a/b' } }),
      lambdaContext(),
    );
    expect(bad.statusCode).toBe(400);
    behaviour = 'conflict';
    expect(jsonBody(await post(validBody))).toMatchObject({ status: 409, code: 'USCC_ALREADY_REGISTERED' });
    behaviour = 'bug';
    const bug = await post(validBody);
    expect(bug.statusCode).toBe(500);
    expect(bug.body).not.toContain('undefined is not a function');
  });

  it('404 for a route key the group does not serve; 204 without a body', async () => {
    const res = await handler(apiEvent('GET /v1/nowhere', { caller: applicant }), lambdaContext());
    expect(res.statusCode).toBe(404);
    const done = await handler(
      apiEvent('POST /v1/organisations/{orgId}/verification', {
        caller: { sub: 'o', roles: ['officer'] },
        params: { orgId: 'x' },
        body: { decision: 'verified', opinion: 'ok' },
      }),
      lambdaContext(),
    );
    expect(done).toEqual({ statusCode: 204, headers: {} });
  });

  it('refuses to build a handler with a missing implementation', () => {
    expect(() => httpHandler('organisations', {})).toThrow(/no implementation/);
  });
});

describe('Idempotency-Key in the factory', () => {
  it('hands the key to the implementation; replays a known request; 422 for a different body', async () => {
    behaviour = 'ok';
    calls.length = 0;
    records.clear();
    await post(validBody, { headers: { 'Idempotency-Key': 'k1' } });
    const ctx = calls[0]?.idempotency;
    expect(ctx).toMatchObject({ scope: 'u1', key: 'k1', routeKey: 'POST /v1/organisations' });
    if (!ctx) throw new Error('no idempotency context');
    records.set('u1/k1', {
      requestHash: ctx.requestHash,
      routeKey: ctx.routeKey,
      response: { status: 201, body: { id: 'first' } },
      expiresAt: Math.floor(Date.now() / 1000) + 60,
    });
    // Same body with keys in another order: same request
    const { name, ...rest } = validBody;
    const replay = await post({ ...rest, name }, { headers: { 'Idempotency-Key': 'k1' } });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(jsonBody(replay)).toEqual({ id: 'first' });
    expect(calls).toHaveLength(1);
    const reused = await post({ ...validBody, name: 'Other Ltd' }, { headers: { 'Idempotency-Key': 'k1' } });
    expect(reused.statusCode).toBe(422);
    expect(jsonBody(reused).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a lost race replays the winner’s response', async () => {
    behaviour = 'race';
    records.clear();
    const res = await post(validBody, { headers: { 'Idempotency-Key': 'race-1' } });
    expect(res.statusCode).toBe(201);
    expect(jsonBody(res)).toEqual({ id: 'winner' });
    expect(res.headers?.['idempotent-replayed']).toBe('true');
  });

  it.each([
    ['', 400],
    ['a'.repeat(128), 201],
    ['a'.repeat(129), 400],
    ['with space', 400],
    ['Ok_key-1', 201],
  ])('key %j → %i', async (key, status) => {
    behaviour = 'ok';
    records.clear();
    expect((await post(validBody, { headers: { 'Idempotency-Key': key } })).statusCode).toBe(status);
  });
});
