import { createHash } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../functions/adapters/aws-clients.ts';
import { EvidenceStore, evidenceKey, incomingKey } from '../../functions/adapters/evidence-store.ts';
import { EVIDENCE_MAX_BYTES, UPLOAD_URL_TTL_SECONDS } from '../../functions/core/evidence-rules.ts';
import { useLocalServices } from './support/services.ts';

const store = new EvidenceStore();
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x41), Buffer.from('\n%%EOF\n')]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let n = 0;
const ref = () => {
  n += 1;
  return { scope: 'applications', ownerId: 'APP1', evidenceId: `EV${n}` };
};

async function exists(key: string): Promise<boolean> {
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: process.env.EVIDENCE_BUCKET, Key: key }));
    return true;
  } catch {
    return false;
  }
}

/** Uploads like a browser would: multipart POST of the returned fields plus the file. */
async function upload(
  ticket: { upload: { url: string; fields: Record<string, string> } },
  file: Buffer,
  type: string,
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)], { type }), 'whatever-the-user-named-it.pdf');
  const res = await fetch(ticket.upload.url, { method: 'POST', body: form });
  expect(res.status).toBeLessThan(300);
}

beforeAll(async () => {
  await useLocalServices('evidence', { bucket: true });
});

describe('presigned POST', () => {
  it('has a server-built key, exact content type, a size range and a short expiry', async () => {
    const r = ref();
    const ticket = await store.createUpload(r, {
      contentType: 'application/pdf',
      sizeBytes: pdf.length,
      sha256: sha(pdf),
    });
    expect(ticket.key).toBe(`incoming/applications/APP1/${r.evidenceId}`);
    expect(ticket.upload.fields.key).toBe(ticket.key);
    const policy = JSON.parse(
      Buffer.from(String(ticket.upload.fields.Policy), 'base64').toString('utf8'),
    ) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        { bucket: process.env.EVIDENCE_BUCKET },
        { key: ticket.key },
        ['eq', '$Content-Type', 'application/pdf'],
        ['content-length-range', 1, EVIDENCE_MAX_BYTES],
      ]),
    );
    const ttl = Date.parse(policy.expiration) - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(UPLOAD_URL_TTL_SECONDS * 1000);
  });

  it.each([
    [
      'a type that is not allowed',
      { contentType: 'text/html', sizeBytes: 10, sha256: 'a'.repeat(64) },
      'contentType',
    ],
    ['an empty file', { contentType: 'application/pdf', sizeBytes: 0, sha256: 'a'.repeat(64) }, 'sizeBytes'],
    [
      'a file over the cap',
      { contentType: 'application/pdf', sizeBytes: EVIDENCE_MAX_BYTES + 1, sha256: 'a'.repeat(64) },
      'sizeBytes',
    ],
    ['a malformed hash', { contentType: 'application/pdf', sizeBytes: 10, sha256: 'xyz' }, 'sha256'],
  ])('400 for %s', async (_label, declared, path) => {
    await expect(store.createUpload(ref(), declared)).rejects.toMatchObject({
      status: 400,
      errors: expect.arrayContaining([expect.objectContaining({ path })]),
    });
  });

  it('refuses key segments that could escape the prefix', async () => {
    await expect(
      store.createUpload(
        { scope: 'applications', ownerId: '../x', evidenceId: 'e' },
        {
          contentType: 'application/pdf',
          sizeBytes: 1,
          sha256: 'a'.repeat(64),
        },
      ),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('verifyUpload', () => {
  it('accepts a matching file and moves it from incoming/ to evidence/', async () => {
    const r = ref();
    const declared = { contentType: 'application/pdf', sizeBytes: pdf.length, sha256: sha(pdf) };
    await upload(await store.createUpload(r, declared), pdf, 'application/pdf');
    const verified = await store.verifyUpload(r, declared);
    expect(verified).toEqual({
      key: evidenceKey(r),
      sizeBytes: pdf.length,
      sha256: sha(pdf),
      contentType: 'application/pdf',
    });
    expect(await exists(incomingKey(r))).toBe(false);
    expect(await exists(evidenceKey(r))).toBe(true);
    const { url } = await store.downloadUrl(r, 'report.pdf');
    const res = await fetch(url);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
  });

  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(100, 1),
  ]);
  it.each([
    [
      'a wrong hash',
      pdf,
      { contentType: 'application/pdf', sizeBytes: pdf.length, sha256: 'b'.repeat(64) },
      'sha256',
    ],
    [
      'a larger file than declared',
      pdf,
      { contentType: 'application/pdf', sizeBytes: pdf.length - 1, sha256: sha(pdf) },
      'sizeBytes',
    ],
    [
      'a smaller file than declared',
      pdf,
      { contentType: 'application/pdf', sizeBytes: pdf.length + 1, sha256: sha(pdf) },
      'sizeBytes',
    ],
    [
      'a PNG declared as PDF',
      png,
      { contentType: 'application/pdf', sizeBytes: png.length, sha256: sha(png) },
      'signature',
    ],
  ])('422 EVIDENCE_MISMATCH for %s, and the object is deleted', async (_label, file, declared, path) => {
    const r = ref();
    await upload(await store.createUpload(r, declared), file, declared.contentType);
    expect(await exists(incomingKey(r))).toBe(true);
    await expect(store.verifyUpload(r, declared)).rejects.toMatchObject({
      status: 422,
      code: 'EVIDENCE_MISMATCH',
      errors: [expect.objectContaining({ path })],
    });
    expect(await exists(incomingKey(r))).toBe(false);
    expect(await exists(evidenceKey(r))).toBe(false);
  });

  it('422 EVIDENCE_NOT_UPLOADED when nothing was uploaded', async () => {
    await expect(
      store.verifyUpload(ref(), { contentType: 'application/pdf', sizeBytes: 1, sha256: 'a'.repeat(64) }),
    ).rejects.toMatchObject({ status: 422, code: 'EVIDENCE_NOT_UPLOADED' });
  });
});
