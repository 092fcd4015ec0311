import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../functions/adapters/registry.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { resetEnv } from '../../functions/shared/env.ts';
import { resetOptionalAuth } from '../../functions/shared/optional-auth.ts';
import { LocalJwtIssuer } from '../../infra/local/jwt-issuer.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

const { handler } = await import('../../functions/api/calls.ts');
const { handler: deadlines } = await import('../../functions/jobs/deadlines.ts');

const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const OPENS = '2026-05-01T00:00:00.000Z';
const CLOSES = '2026-06-01T00:00:00.000Z';
const at = (iso: string, deltaMs = 0) => new Date(Date.parse(iso) + deltaMs);

const body = (over: Record<string, unknown> = {}) => ({
  title: '2026年度市级人工智能赋能平台认定',
  description: '申报条件见《管理办法》第九条',
  opensAt: OPENS,
  closesAt: CLOSES,
  requiredEvidence: [{ kind: 'business-licence', title: '营业执照', required: true }],
  scoringCriteria: [{ key: 'resources', title: '资源集聚', weight: 1, max: 100 }],
  noticePeriod: { length: 5, unit: 'working_days' },
  ...over,
});

let issuer: LocalJwtIssuer;
let forger: LocalJwtIssuer;
let jwks: http.Server;
const tokenFor = async (sub: string, groups: ('officer' | 'applicant' | 'approver')[], who = issuer) =>
  (await who.sign({ sub, groups })).token;

const call = (routeKey: string, opts: Parameters<typeof apiEvent>[1] = {}) =>
  handler(apiEvent(routeKey, opts), lambdaContext());
const anonymous = (routeKey: string, params?: Record<string, string>, token?: string) =>
  call(routeKey, {
    ...(params ? { params } : {}),
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });

beforeAll(async () => {
  await useLocalServices('calls');
  const dir = mkdtempSync(path.join(tmpdir(), 'calls-issuer-'));
  issuer = await LocalJwtIssuer.open({ dir: path.join(dir, 'a'), issuer: 'http://issuer.test/local-issuer' });
  forger = await LocalJwtIssuer.open({ dir: path.join(dir, 'b'), issuer: 'http://issuer.test/local-issuer' });
  jwks = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(issuer.jwks()));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
  });
  resetEnv();
  resetOptionalAuth();
});
afterAll(async () => {
  setClock(undefined);
  await new Promise((resolve) => jwks.close(resolve));
});

describe('calls (Art. 7–8)', () => {
  let callId = '';

  it('refuses an invalid call with 400 naming each field', async () => {
    setClock(at('2026-04-01T00:00:00Z'), 'fixed');
    const res = await call('POST /v1/calls', {
      caller: officer,
      body: body({
        closesAt: OPENS,
        scoringCriteria: [
          { key: 'a', title: 'A', weight: 1, max: 10 },
          { key: 'a', title: 'A again', weight: 1, max: 10 },
        ],
      }),
    });
    expect(res.statusCode).toBe(400);
    const paths = jsonBody<{ errors: { path: string }[] }>(res).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.closesAt', 'body.scoringCriteria.1.key']));
  });

  it('an applicant cannot create a call (403)', async () => {
    const res = await call('POST /v1/calls', { caller: { sub: 'a', roles: ['applicant'] }, body: body() });
    expect(res.statusCode).toBe(403);
  });

  it('an officer drafts a call → 201 draft; a repeat with the same Idempotency-Key replays it', async () => {
    const headers = { 'idempotency-key': 'call-1' };
    const first = await call('POST /v1/calls', { caller: officer, body: body(), headers });
    const again = await call('POST /v1/calls', { caller: officer, body: body(), headers });
    expect(first.statusCode).toBe(201);
    callId = jsonBody<{ id: string }>(first).id;
    expect(jsonBody(first)).toEqual({ id: callId, status: 'draft' });
    expect(jsonBody(again)).toEqual({ id: callId, status: 'draft' });
  });

  it('a draft is invisible to anonymous callers and applicants (404), visible to staff', async () => {
    expect((await anonymous('GET /v1/calls/{callId}', { callId })).statusCode).toBe(404);
    const applicant = await tokenFor('app-1', ['applicant']);
    expect((await anonymous('GET /v1/calls/{callId}', { callId }, applicant)).statusCode).toBe(404);
    const staff = await tokenFor('officer-9', ['officer']);
    const res = await anonymous('GET /v1/calls/{callId}', { callId }, staff);
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({ id: callId, status: 'draft' });
    const list = jsonBody<{ items: { id: string }[] }>(await anonymous('GET /v1/calls', undefined, staff));
    expect(list.items.map((c) => c.id)).toContain(callId);
    const publicList = jsonBody<{ items: { id: string }[] }>(await anonymous('GET /v1/calls'));
    expect(publicList.items.map((c) => c.id)).not.toContain(callId);
  });

  it('a token signed by another key, expired, or not a bearer → 401 (never silently anonymous)', async () => {
    const forged = await tokenFor('officer-9', ['officer'], forger);
    const expired = (
      await issuer.sign(
        { sub: 'o', groups: ['officer'], expiresInSeconds: 1 },
        new Date(Date.now() - 3_600_000),
      )
    ).token;
    for (const headers of [
      { authorization: `Bearer ${forged}` },
      { authorization: `Bearer ${expired}` },
      { authorization: 'Basic abc' },
    ]) {
      const res = await call('GET /v1/calls/{callId}', { params: { callId }, headers });
      expect(res.statusCode).toBe(401);
    }
  });

  it('publishes a draft before opensAt → scheduled, with a call-open due entry', async () => {
    const res = await call('POST /v1/calls/{callId}/publish', { caller: officer, params: { callId } });
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({ status: 'scheduled' });
    const item = await registry().get({ pk: `CALL#${callId}`, sk: 'CALL' });
    expect(item?.dueSk).toBe(`${OPENS}#call-open#${callId}`);
    const twice = await call('POST /v1/calls/{callId}/publish', { caller: officer, params: { callId } });
    expect(twice.statusCode).toBe(409);
    expect(jsonBody(twice)).toMatchObject({ code: 'CALL_NOT_DRAFT' });
    const publicList = jsonBody<{ items: { id: string }[] }>(await anonymous('GET /v1/calls'));
    expect(publicList.items.map((c) => c.id)).toContain(callId);
  });

  it.each([
    [-1, 'scheduled'],
    [0, 'open'],
  ])('anyone sees the status derived from the instants (opensAt %+i ms → %s)', async (delta, status) => {
    setClock(at(OPENS, delta), 'fixed');
    expect(jsonBody(await anonymous('GET /v1/calls/{callId}', { callId }))).toMatchObject({ status });
  });

  it('the deadline job opens it at opensAt, closes it at closesAt, and a second run changes nothing', async () => {
    setClock(at(OPENS, -1), 'fixed');
    expect((await deadlines()).byType['call-open']).toBeUndefined();
    setClock(at(OPENS), 'fixed');
    expect((await deadlines()).byType['call-open']).toEqual({ examined: 1, acted: 1 });
    expect((await deadlines()).byType['call-open']).toBeUndefined();
    // Past closesAt but before the job ran: already shown closed.
    setClock(at(CLOSES, 1000), 'fixed');
    expect(jsonBody(await anonymous('GET /v1/calls/{callId}', { callId }))).toMatchObject({
      status: 'closed',
    });
    expect((await deadlines()).byType['call-close']).toEqual({ examined: 1, acted: 1 });
    expect((await deadlines()).byType['call-close']).toBeUndefined();
    const item = await registry().get({ pk: `CALL#${callId}`, sk: 'CALL' });
    expect(item).toMatchObject({ status: 'closed' });
    expect(item?.dueSk).toBeUndefined();
    const audit = await registry().listAudit(callId, 10);
    expect(audit.items.map((e) => e.action)).toEqual([
      'call.created',
      'call.published',
      'call.opened',
      'call.closed',
    ]);
    const notified = await registry().query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'NOTIFY#officer' },
    });
    expect(notified.items.filter((n) => n.entityId === callId).map((n) => n.event)).toEqual(['call.closed']);
  });

  it('a call whose closesAt has passed cannot be published (409)', async () => {
    setClock(at('2026-04-01T00:00:00Z'), 'fixed');
    const created = jsonBody<{ id: string }>(await call('POST /v1/calls', { caller: officer, body: body() }));
    setClock(at(CLOSES), 'fixed');
    const res = await call('POST /v1/calls/{callId}/publish', {
      caller: officer,
      params: { callId: created.id },
    });
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res)).toMatchObject({ code: 'CALL_DEADLINE_PASSED' });
  });
});
