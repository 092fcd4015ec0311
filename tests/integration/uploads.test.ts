import { createHash } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evidenceManifest } from '../../functions/adapters/application-store.ts';
import { s3Client } from '../../functions/adapters/aws-clients.ts';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { evidenceKey, incomingKey } from '../../functions/adapters/evidence-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import { EVIDENCE_MAX_BYTES, UPLOAD_URL_TTL_SECONDS } from '../../functions/core/evidence-rules.ts';
import { keys } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { recordReliability } from '../support/reliability.ts';
import { useLocalServices } from './support/services.ts';

/**
 * Reliability suite 6 (issue 5): evidence uploads (Art. 8(1) materials) through the real handler,
 * DynamoDB Local and s3rver. The presigned POST policy is decoded and must pin the server-built key,
 * the exact content type, the size range and a short expiry; confirm refuses an oversize, wrong-hash,
 * wrong-signature or late file, deletes it and records the rejection with its audit event; hostile
 * file names never reach a storage key and are shown only sanitised.
 */
const { handler } = await import('../../functions/api/applications.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');

const NOW = new Date('2026-04-14T02:00:00.000Z');
const TTL_MS = UPLOAD_URL_TTL_SECONDS * 1000;
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x42), Buffer.from('\n%%EOF\n')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const tried: Record<string, number> = {};
const count = (kind: string) => {
  tried[kind] = (tried[kind] ?? 0) + 1;
};
let fiveXX = 0;
let lost = 0;
let halfWritten = 0;

let seq = 0;
const next = () => {
  seq += 1;
  return seq;
};

async function req(routeKey: string, caller: Caller, opts: Record<string, unknown> = {}) {
  count('requests');
  const res = await handler(apiEvent(routeKey, { caller, ...opts }), lambdaContext());
  if ((res.statusCode ?? 0) >= 500) fiveXX += 1;
  return res;
}

/** An applicant with an organisation and a draft application to an open call asking for a licence. */
async function draftApplication(): Promise<{ me: Caller; id: string }> {
  const me: Caller = { sub: `up-applicant-${next()}`, roles: ['applicant'] };
  const uscc = withCheckChar(`91442000MB${String(400000 + next()).padStart(6, '0')}X`.slice(0, 17));
  const org = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller: me,
      body: {
        name: `中山上传测试${next()}有限公司`,
        uscc,
        registeredCapitalCny: 60_000_000,
        address: '广东省中山市石岐区',
        legalRepresentative: '王五',
        contact: { name: '赵六', phone: '0760-88881111', email: 'z@example.cn' },
      },
    }),
    lambdaContext(),
  );
  expect(org.statusCode).toBe(201);
  const callId = `UPCALL${next()}`;
  await new DynamoCallStore().create(
    {
      id: callId,
      title: 'Call',
      description: 'd',
      opensAt: '2026-04-01T00:00:00.000Z',
      closesAt: '2026-04-30T16:00:00.000Z',
      requiredEvidence: [{ kind: 'business-licence', title: '营业执照', required: true }],
      scoringCriteria: [{ key: 'k', title: 'K', weight: 1, max: 10 }],
      noticePeriod: { length: 5, unit: 'working_days' },
      status: 'open',
      createdBy: 'officer-1',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      version: 2,
    },
    auditEvent(NOW, SYSTEM_ACTOR, 'call.created', 'call', callId),
  );
  const created = await req('POST /v1/calls/{callId}/applications', me, {
    params: { callId },
    body: {
      consortium: [],
      partners: Array.from({ length: 10 }, (_, i) => ({ name: `机构${i}`, kind: 'university' })),
      registeredCapitalCny: 60_000_000,
      committedEnterprisesPerYear: 35,
      capabilities: ['models'],
      summary: 'summary',
    },
  });
  expect(created.statusCode).toBe(201);
  return { me, id: jsonBody<{ id: string }>(created).id };
}

interface Ticket {
  evidenceId: string;
  upload: { url: string; fields: Record<string, string> };
  expiresAt: string;
}
interface Policy {
  expiration: string;
  conditions: unknown[];
}

const declare = (me: Caller, id: string, over: Record<string, unknown> = {}) =>
  req('POST /v1/applications/{id}/evidence', me, {
    params: { id },
    body: {
      kind: 'business-licence',
      fileName: '营业执照.pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF.length,
      sha256: sha(PDF),
      ...over,
    },
  });

async function upload(ticket: Ticket, file: Buffer, type: string): Promise<void> {
  count('uploads');
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)], { type }), '../../etc/passwd');
  const res = await fetch(ticket.upload.url, { method: 'POST', body: form });
  expect(res.status).toBeLessThan(300);
}

const confirm = (me: Caller, id: string, evidenceId: string) =>
  req('POST /v1/applications/{id}/evidence/{evidenceId}/confirm', me, { params: { id, evidenceId } });

async function exists(key: string): Promise<boolean> {
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: process.env.EVIDENCE_BUCKET, Key: key }));
    return true;
  } catch {
    return false;
  }
}

const ref = (id: string, evidenceId: string) => ({ scope: 'applications', ownerId: id, evidenceId });
const decode = (ticket: Ticket): Policy =>
  JSON.parse(Buffer.from(String(ticket.upload.fields.Policy), 'base64').toString('utf8')) as Policy;

/** Asserts a refused file left nothing behind: no object, the evidence rejected, one rejection event. */
async function assertRemoved(id: string, evidenceId: string): Promise<void> {
  const objects = [
    await exists(incomingKey(ref(id, evidenceId))),
    await exists(evidenceKey(ref(id, evidenceId))),
  ];
  const item = await registry().get(keys.evidence(id, evidenceId));
  const rejections = (await registry().listAudit(id, 100)).items.filter(
    (e) => e.action === 'evidence.rejected',
  ).length;
  const manifest = await evidenceManifest(id);
  halfWritten += objects.filter(Boolean).length + Math.abs(rejections - 1) + manifest.length;
  expect(objects).toEqual([false, false]);
  expect(item).toMatchObject({ status: 'rejected' });
  expect(rejections).toBe(1);
  expect(manifest).toEqual([]);
}

beforeAll(async () => {
  await useLocalServices('uploads', { bucket: true });
});
beforeEach(() => {
  setWorkflowEngine(new RecordingWorkflowEngine());
  setClock(NOW, 'fixed');
});
afterAll(async () => {
  setWorkflowEngine(undefined);
  setClock(undefined);
  await recordReliability({
    suite: 'uploads',
    tried,
    fiveXX,
    leaks: 0,
    lost,
    halfWritten,
    notes:
      'presigned POST policies decoded; confirm of oversize, wrong-hash, wrong-signature and late files; ' +
      'hostile file names (s3rver enforces no policy, so every refusal here is the server’s own check).',
  });
});

describe('the presigned POST policy (decoded)', () => {
  it.each([
    ['application/pdf', 1],
    ['application/pdf', EVIDENCE_MAX_BYTES],
    ['image/png', 2048],
    ['image/jpeg', 2048],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 4096],
  ])(
    'pins the server-built key, exactly %s, the size range and an expiry ≤ 15 min (%i bytes)',
    async (contentType, sizeBytes) => {
      // Prepare
      const { me, id } = await draftApplication();
      // Act
      const res = await declare(me, id, { contentType, sizeBytes, sha256: 'a'.repeat(64) });
      // Assess
      expect(res.statusCode).toBe(201);
      count('policies');
      const ticket = jsonBody<Ticket>(res);
      const policy = decode(ticket);
      const key = incomingKey(ref(id, ticket.evidenceId));
      expect(key.startsWith(`incoming/applications/${id}/`)).toBe(true);
      expect(ticket.upload.fields.key).toBe(key);
      expect(policy.conditions).toEqual(
        expect.arrayContaining([
          { key },
          { bucket: process.env.EVIDENCE_BUCKET },
          ['eq', '$Content-Type', contentType],
          ['content-length-range', 1, EVIDENCE_MAX_BYTES],
        ]),
      );
      // No prefix condition that would let the browser choose another key under it.
      expect(JSON.stringify(policy.conditions)).not.toContain('starts-with');
      const realTtl = Date.parse(policy.expiration) - Date.now();
      expect(realTtl).toBeGreaterThan(0);
      expect(realTtl).toBeLessThanOrEqual(TTL_MS);
      expect(Date.parse(ticket.expiresAt) - NOW.getTime()).toBe(TTL_MS);
      expect(TTL_MS).toBeLessThanOrEqual(15 * 60_000);
    },
  );
});

describe('confirm refuses a file that is not what was declared, and removes it', () => {
  const oversize = Buffer.concat([PDF, Buffer.alloc(1, 0x20)]);
  it.each([
    ['one byte over the declared size', 'sizeBytes', oversize, {}],
    ['one byte under the declared size', 'sizeBytes', PDF.subarray(0, PDF.length - 1), {}],
    ['a wrong SHA-256', 'sha256', PDF, { sha256: sha(Buffer.from('another file')) }],
    [
      'a PNG declared as a PDF (wrong signature)',
      'signature',
      PNG,
      { sizeBytes: PNG.length, sha256: sha(PNG) },
    ],
  ])('%s → 422 EVIDENCE_MISMATCH naming %s', async (_what, path, file, over) => {
    // Prepare
    const { me, id } = await draftApplication();
    const ticket = jsonBody<Ticket>(await declare(me, id, over));
    await upload(ticket, file, 'application/pdf');
    // Act
    const res = await confirm(me, id, ticket.evidenceId);
    count('refusedFiles');
    // Assess
    expect(res.statusCode).toBe(422);
    const problem = jsonBody<{ code: string; errors: Array<{ path: string }> }>(res);
    expect(problem.code).toBe('EVIDENCE_MISMATCH');
    expect(problem.errors.map((e) => e.path)).toContain(path);
    await assertRemoved(id, ticket.evidenceId);
  });

  it('the matching file at the same size is verified (the check is not a blanket refusal)', async () => {
    const { me, id } = await draftApplication();
    const ticket = jsonBody<Ticket>(await declare(me, id));
    await upload(ticket, PDF, 'application/pdf');
    const res = await confirm(me, id, ticket.evidenceId);
    expect(res.statusCode).toBe(200);
    const verified = await exists(evidenceKey(ref(id, ticket.evidenceId)));
    if (!verified) lost += 1;
    expect(verified).toBe(true);
  });
});

describe('an expired upload form (s3rver does not enforce the expiry, so the server does)', () => {
  it.each([
    ['60 s before expiresAt', 200, -60_000],
    ['5 s before expiresAt', 200, -5_000],
    ['at expiresAt', 200, 0],
    ['5 s after expiresAt', 422, 5_000],
    ['an hour after expiresAt', 422, 3_600_000],
  ])('a file uploaded %s → %i', async (_what, status, offsetMs) => {
    // Prepare
    const { me, id } = await draftApplication();
    const ticket = jsonBody<Ticket>(await declare(me, id));
    setClock(new Date(Date.parse(ticket.expiresAt) + offsetMs), 'fixed');
    await upload(ticket, PDF, 'application/pdf');
    // Act
    const res = await confirm(me, id, ticket.evidenceId);
    count('expiryCases');
    // Assess
    expect(res.statusCode).toBe(status);
    if (status === 422) {
      const problem = jsonBody<{ code: string; errors: Array<{ path: string }> }>(res);
      expect(problem.errors.map((e) => e.path)).toContain('expiresAt');
      await assertRemoved(id, ticket.evidenceId);
    } else {
      expect(await exists(evidenceKey(ref(id, ticket.evidenceId)))).toBe(true);
    }
  });
});

describe('hostile file names', () => {
  it.each([
    ['../../../etc/passwd.pdf'],
    ['..\\..\\windows\\system32\\config.pdf'],
    ['incoming/applications/OTHER/EV1'],
    ['evil\u0000.pdf'],
    ['bell\u0007\u001b[31m.pdf'],
    ['line\r\nbreak.pdf'],
    ['\u202Efdp.exe'],
    ['%2e%2e%2f%2e%2e%2fsecret.pdf'],
    ['/absolute/path.pdf'],
  ])('%j is stored under the server-built key and shown sanitised', async (fileName) => {
    // Prepare
    const { me, id } = await draftApplication();
    // Act
    const res = await declare(me, id, { fileName });
    count('hostileNames');
    // Assess
    expect(res.statusCode).toBeLessThan(500);
    if (res.statusCode === 400) return; // refused outright: nothing stored
    expect(res.statusCode).toBe(201);
    const ticket = jsonBody<Ticket>(res);
    expect(ticket.upload.fields.key).toBe(incomingKey(ref(id, ticket.evidenceId)));
    await upload(ticket, PDF, 'application/pdf');
    expect((await confirm(me, id, ticket.evidenceId)).statusCode).toBe(200);
    expect(await exists(evidenceKey(ref(id, ticket.evidenceId)))).toBe(true);
    const listed = jsonBody<{ items: Array<{ evidenceId: string; fileName: string }> }>(
      await req('GET /v1/applications/{id}/evidence', me, { params: { id } }),
    ).items.find((e) => e.evidenceId === ticket.evidenceId);
    expect(listed?.fileName).toBeDefined();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
    expect(listed?.fileName).not.toMatch(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069/\\]/);
    expect(listed?.fileName).not.toContain('..');
  });
});
