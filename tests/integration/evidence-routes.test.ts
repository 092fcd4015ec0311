import { createHash } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evidenceManifest } from '../../functions/adapters/application-store.ts';
import { s3Client } from '../../functions/adapters/aws-clients.ts';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { evidenceKey, incomingKey } from '../../functions/adapters/evidence-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import { EVIDENCE_MAX_BYTES } from '../../functions/core/evidence-rules.ts';
import { keys } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { resetEnv } from '../../functions/shared/env.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { useLocalServices } from './support/services.ts';

/** Evidence through the real handler: presigned POST to s3rver, confirm, audited download, scan verdicts. */
const { handler } = await import('../../functions/api/applications.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');
const { handler: scanHandler } = await import('../../functions/jobs/malware-scan-result.ts');

const NOW = '2026-03-10T02:00:00.000Z';
let seq = 0;
const next = () => {
  seq += 1;
  return seq;
};
const applicant = (): Caller => ({ sub: `ev-applicant-${next()}`, roles: ['applicant'] });
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const admin: Caller = { sub: 'admin-1', roles: ['admin'] };
const observer: Caller = { sub: 'observer-1', roles: ['observer'] };

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 0x42), Buffer.from('\n%%EOF\n')]);
const PNG_AS_PDF = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64),
]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const req = (routeKey: string, caller: Caller, opts: Record<string, unknown> = {}) =>
  handler(apiEvent(routeKey, { caller, ...opts }), lambdaContext());

/** An applicant with an organisation and a draft application to a call requiring a business licence. */
async function draftApplication(): Promise<{ me: Caller; id: string }> {
  const me = applicant();
  const uscc = withCheckChar(`91442000MA${String(300000 + next()).padStart(6, '0')}X`.slice(0, 17));
  const org = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller: me,
      body: {
        name: `中山证明材料${next()}有限公司`,
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
  const callId = `EVCALL${next()}`;
  await new DynamoCallStore().create(
    {
      id: callId,
      title: 'Call',
      description: 'd',
      opensAt: '2026-03-01T00:00:00.000Z',
      closesAt: '2026-03-31T16:00:00.000Z',
      requiredEvidence: [{ kind: 'business-licence', title: '营业执照', required: true }],
      scoringCriteria: [{ key: 'k', title: 'K', weight: 1, max: 10 }],
      noticePeriod: { length: 5, unit: 'working_days' },
      status: 'open',
      createdBy: officer.sub,
      createdAt: NOW,
      updatedAt: NOW,
      version: 2,
    },
    auditEvent(new Date(NOW), SYSTEM_ACTOR, 'call.created', 'call', callId),
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

async function upload(ticket: Ticket, file: Buffer, type = 'application/pdf') {
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)], { type }), 'what-the-user-called-it.pdf');
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

beforeAll(async () => {
  await useLocalServices('evroutes', { bucket: true });
});
beforeEach(() => {
  setWorkflowEngine(new RecordingWorkflowEngine());
  setClock(new Date(NOW), 'fixed');
});
afterEach(() => {
  delete process.env.EVIDENCE_MALWARE_SCAN;
  resetEnv();
});
afterAll(() => {
  setWorkflowEngine(undefined);
  setClock(undefined);
});

describe('POST /v1/applications/{id}/evidence', () => {
  it('issues a presigned POST under the application’s prefix; the file name is only a sanitised label', async () => {
    // Prepare
    const { me, id } = await draftApplication();
    // Act
    const res = await declare(me, id, { fileName: '../../../etc/\u0007passwd.pdf' });
    // Assess
    expect(res.statusCode).toBe(201);
    const ticket = jsonBody<Ticket>(res);
    expect(ticket.upload.fields.key).toBe(incomingKey(ref(id, ticket.evidenceId)));
    const policy = JSON.parse(
      Buffer.from(String(ticket.upload.fields.Policy), 'base64').toString('utf8'),
    ) as {
      conditions: unknown[];
    };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$Content-Type', 'application/pdf'],
        ['content-length-range', 1, EVIDENCE_MAX_BYTES],
      ]),
    );
    const list = jsonBody<{ items: { evidenceId: string; fileName: string; status: string }[] }>(
      await req('GET /v1/applications/{id}/evidence', me, { params: { id } }),
    );
    expect(list.items).toEqual([
      expect.objectContaining({
        evidenceId: ticket.evidenceId,
        fileName: 'passwd.pdf',
        status: 'pending_upload',
      }),
    ]);
  });

  it.each([
    ['a type that is not allowed', { contentType: 'text/html' }, 'body.contentType'],
    ['a file over the cap', { sizeBytes: EVIDENCE_MAX_BYTES + 1 }, 'body.sizeBytes'],
    ['an empty file', { sizeBytes: 0 }, 'body.sizeBytes'],
    ['a kind the call does not ask for', { kind: 'tax-records' }, 'body.kind'],
    ['a malformed hash', { sha256: 'abc' }, 'body.sha256'],
  ])('400 for %s, naming %s', async (_label, over, path) => {
    const { me, id } = await draftApplication();
    const res = await declare(me, id, over);
    expect(res.statusCode).toBe(400);
    expect(jsonBody<{ errors: { path: string }[] }>(res).errors.map((e) => e.path)).toContain(path);
  });

  it('another applicant → 404; an officer may not upload (403)', async () => {
    const { id } = await draftApplication();
    expect((await declare(applicant(), id)).statusCode).toBe(404);
    expect((await declare(officer, id)).statusCode).toBe(403);
  });
});

describe('confirm', () => {
  it('a real PDF uploaded to storage is verified and moved out of incoming/', async () => {
    // Prepare
    const { me, id } = await draftApplication();
    const ticket = jsonBody<Ticket>(await declare(me, id));
    await upload(ticket, PDF);
    // Act
    const res = await confirm(me, id, ticket.evidenceId);
    // Assess
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toEqual({ evidenceId: ticket.evidenceId, status: 'verified' });
    expect(await exists(evidenceKey(ref(id, ticket.evidenceId)))).toBe(true);
    expect(await exists(incomingKey(ref(id, ticket.evidenceId)))).toBe(false);
    expect(await evidenceManifest(id)).toEqual([
      {
        evidenceId: ticket.evidenceId,
        kind: 'business-licence',
        fileName: '营业执照.pdf',
        sha256: sha(PDF),
        sizeBytes: PDF.length,
      },
    ]);
    // Confirming again is harmless.
    expect(jsonBody(await confirm(me, id, ticket.evidenceId))).toMatchObject({ status: 'verified' });
  });

  it.each([
    ['a wrong SHA-256', { sha256: sha(Buffer.from('something else')) }, PDF, 'sha256'],
    ['a wrong size', { sizeBytes: PDF.length + 1 }, PDF, 'sizeBytes'],
    [
      'a PNG declared as PDF',
      { sizeBytes: PNG_AS_PDF.length, sha256: sha(PNG_AS_PDF) },
      PNG_AS_PDF,
      'signature',
    ],
  ])(
    '%s → 422 EVIDENCE_MISMATCH, the object deleted, the evidence rejected and audited',
    async (_l, over, file, path) => {
      // Prepare
      const { me, id } = await draftApplication();
      const ticket = jsonBody<Ticket>(await declare(me, id, over));
      await upload(ticket, file);
      // Act
      const res = await confirm(me, id, ticket.evidenceId);
      // Assess
      expect(res.statusCode).toBe(422);
      const problem = jsonBody<{ code: string; errors: { path: string }[] }>(res);
      expect(problem.code).toBe('EVIDENCE_MISMATCH');
      expect(problem.errors.map((e) => e.path)).toContain(path);
      expect(await exists(incomingKey(ref(id, ticket.evidenceId)))).toBe(false);
      expect(await exists(evidenceKey(ref(id, ticket.evidenceId)))).toBe(false);
      const item = await registry().get(keys.evidence(id, ticket.evidenceId));
      expect(item).toMatchObject({ status: 'rejected', rejection: { reason: 'mismatch' } });
      const actions = (await registry().listAudit(id, 50)).items.map((e) => e.action);
      expect(actions).toContain('evidence.rejected');
      expect(await evidenceManifest(id)).toEqual([]);
    },
  );

  it('nothing uploaded → 422 EVIDENCE_NOT_UPLOADED, still pending', async () => {
    const { me, id } = await draftApplication();
    const ticket = jsonBody<Ticket>(await declare(me, id));
    const res = await confirm(me, id, ticket.evidenceId);
    expect(res.statusCode).toBe(422);
    expect(jsonBody(res)).toMatchObject({ code: 'EVIDENCE_NOT_UPLOADED' });
    expect((await registry().get(keys.evidence(id, ticket.evidenceId)))?.status).toBe('pending_upload');
  });
});

describe('download', () => {
  it.each([
    ['the owner', 'owner', 200],
    ['an officer', 'officer', 200],
    ['an admin (office staff)', 'admin', 200],
    ['another applicant', 'stranger', 404],
    ['an expert not assigned', 'expert', 404],
    ['an observer (Art. 11: not without consent)', 'observer', 403],
  ])('by %s (%s) → %i; each download audited with who', async (_label, who, status) => {
    // Prepare
    const { me, id } = await draftApplication();
    const ticket = jsonBody<Ticket>(await declare(me, id));
    await upload(ticket, PDF);
    await confirm(me, id, ticket.evidenceId);
    const callers: Record<string, Caller> = {
      owner: me,
      officer,
      admin,
      observer,
      stranger: applicant(),
      expert: { sub: 'unassigned-expert', roles: ['expert'] },
    };
    const caller = callers[who] as Caller;
    // Act
    const res = await req('GET /v1/applications/{id}/evidence/{evidenceId}/download', caller, {
      params: { id, evidenceId: ticket.evidenceId },
    });
    // Assess
    expect(res.statusCode).toBe(status);
    const downloads = (await registry().listAudit(id, 50)).items.filter(
      (e) => e.action === 'evidence.downloaded',
    );
    if (status === 200) {
      const link = jsonBody<{ url: string; expiresAt: string }>(res);
      const file = Buffer.from(await (await fetch(link.url)).arrayBuffer());
      expect(sha(file)).toBe(sha(PDF));
      expect(Date.parse(link.expiresAt) - Date.parse(NOW)).toBeLessThanOrEqual(5 * 60_000);
      expect(downloads).toEqual([
        expect.objectContaining({
          actor: { sub: caller.sub, roles: caller.roles },
          detail: expect.objectContaining({ evidenceId: ticket.evidenceId, sha256: sha(PDF) }),
        }),
      ]);
    } else {
      expect(downloads).toEqual([]);
    }
  });

  it('evidence not verified yet → 409 EVIDENCE_NOT_VERIFIED', async () => {
    const { me, id } = await draftApplication();
    const ticket = jsonBody<Ticket>(await declare(me, id));
    const res = await req('GET /v1/applications/{id}/evidence/{evidenceId}/download', me, {
      params: { id, evidenceId: ticket.evidenceId },
    });
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res)).toMatchObject({ code: 'EVIDENCE_NOT_VERIFIED' });
  });
});

describe('with GuardDuty Malware Protection (EVIDENCE_MALWARE_SCAN=true)', () => {
  const scanEvent = (key: string, status: string, threats: { name: string }[] | null = null) => ({
    version: '0',
    id: `evt-${next()}`,
    'detail-type': 'GuardDuty Malware Protection Object Scan Result' as const,
    source: 'aws.guardduty',
    account: '000000000000',
    time: NOW,
    region: 'cn-north-1',
    resources: [],
    detail: {
      schemaVersion: '1.0',
      scanStatus: 'COMPLETED',
      resourceType: 'S3_OBJECT',
      s3ObjectDetails: {
        bucketName: String(process.env.EVIDENCE_BUCKET),
        objectKey: key,
        eTag: 'e',
        versionId: 'v',
        s3Throttled: false,
      },
      scanResultDetails: { scanResultStatus: status, threats },
    },
  });

  it.each([
    ['NO_THREATS_FOUND', 'verified', true],
    ['THREATS_FOUND', 'rejected', false],
  ])(
    'confirm → scanning; verdict %s → %s (object kept: %s); a repeated event changes nothing',
    async (verdict, status, kept) => {
      // Prepare
      process.env.EVIDENCE_MALWARE_SCAN = 'true';
      resetEnv();
      const { me, id } = await draftApplication();
      const ticket = jsonBody<Ticket>(await declare(me, id));
      await upload(ticket, PDF);
      const key = evidenceKey(ref(id, ticket.evidenceId));
      // Act
      const confirmed = await confirm(me, id, ticket.evidenceId);
      const early = await req('POST /v1/applications/{id}/submit', me, { params: { id } });
      const outcome = await scanHandler(
        scanEvent(key, verdict, verdict === 'THREATS_FOUND' ? [{ name: 'EICAR-Test-File' }] : null),
      );
      const again = await scanHandler(scanEvent(key, verdict));
      // Assess
      expect(jsonBody(confirmed)).toEqual({ evidenceId: ticket.evidenceId, status: 'scanning' });
      expect(jsonBody(early)).toMatchObject({ status: 409, code: 'EVIDENCE_MISSING' });
      expect(outcome).toBe('applied');
      expect(again).toBe('unchanged');
      expect((await registry().get(keys.evidence(id, ticket.evidenceId)))?.status).toBe(status);
      expect(await exists(key)).toBe(kept);
      const submitted = await req('POST /v1/applications/{id}/submit', me, { params: { id } });
      expect(submitted.statusCode).toBe(kept ? 200 : 409);
    },
  );

  it('ignores events for another bucket or outside the application evidence prefix', async () => {
    const other = scanEvent('evidence/applications/A/E', 'THREATS_FOUND');
    expect(
      await scanHandler({
        ...other,
        detail: { ...other.detail, s3ObjectDetails: { bucketName: 'someone-else' } },
      }),
    ).toBe('ignored');
    expect(await scanHandler(scanEvent('incoming/applications/A/E', 'THREATS_FOUND'))).toBe('ignored');
    expect(await scanHandler(scanEvent('evidence/applications/NOPE/NOPE', 'NO_THREATS_FOUND'))).toBe(
      'unchanged',
    );
  });
});
