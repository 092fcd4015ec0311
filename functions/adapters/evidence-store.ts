import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  ALLOWED_EVIDENCE_TYPES,
  DOWNLOAD_URL_TTL_SECONDS,
  declarationErrors,
  EVIDENCE_MAX_BYTES,
  type EvidenceDeclaration,
  SIGNATURE_BYTES,
  signatureMatches,
  UPLOAD_URL_TTL_SECONDS,
} from '../core/evidence-rules.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { type FieldError, UnprocessableError, ValidationError } from '../shared/errors.ts';
import { s3Client } from './s3-client.ts';

/**
 * The evidence bucket (DESIGN "evidence uploads"): presigned POST with a server-built key, exact
 * content type and a size range; after the upload the server checks size, SHA-256 and file signature,
 * then moves the object from `incoming/` to `evidence/`. Downloads are short presigned GETs.
 */
export interface EvidenceRef {
  /** What the evidence belongs to, e.g. `applications`, `platforms`. */
  readonly scope: string;
  /** The owning object's id (application, platform, report). */
  readonly ownerId: string;
  readonly evidenceId: string;
}

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

function checkRef(ref: EvidenceRef): void {
  const errors: FieldError[] = (['scope', 'ownerId', 'evidenceId'] as const)
    .filter((k) => !SEGMENT.test(ref[k]))
    .map((k) => ({ path: k, message: 'letters, digits, - and _ only (1–64)' }));
  if (errors.length) throw new ValidationError('Invalid evidence reference', errors);
}

/** `incoming/<scope>/<ownerId>/<evidenceId>`: where the browser uploads (never the client's file name). */
export const incomingKey = (r: EvidenceRef): string => `incoming/${r.scope}/${r.ownerId}/${r.evidenceId}`;
/** `evidence/<scope>/<ownerId>/<evidenceId>`: where verified evidence lives. */
export const evidenceKey = (r: EvidenceRef): string => `evidence/${r.scope}/${r.ownerId}/${r.evidenceId}`;

export interface UploadTicket {
  readonly key: string;
  readonly upload: { readonly url: string; readonly fields: Record<string, string> };
  readonly expiresAt: string;
}

export interface VerifiedEvidence {
  readonly key: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly contentType: string;
}

export class EvidenceStore {
  constructor(
    private readonly s3: () => S3Client = s3Client,
    private readonly bucket: () => string = () => env().EVIDENCE_BUCKET,
  ) {}

  /** A presigned POST for one declared file (400 when the declaration is not allowed). */
  async createUpload(ref: EvidenceRef, declared: EvidenceDeclaration): Promise<UploadTicket> {
    checkRef(ref);
    const errors = declarationErrors(declared);
    if (errors.length) throw new ValidationError('The declared file cannot be accepted', errors);
    const key = incomingKey(ref);
    const { url, fields } = await createPresignedPost(this.s3(), {
      Bucket: this.bucket(),
      Key: key,
      Conditions: [
        ['eq', '$Content-Type', declared.contentType],
        ['content-length-range', 1, EVIDENCE_MAX_BYTES],
      ],
      Fields: { 'Content-Type': declared.contentType },
      Expires: UPLOAD_URL_TTL_SECONDS,
    });
    return {
      key,
      upload: { url, fields },
      expiresAt: new Date(clock.now().getTime() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
    };
  }

  /**
   * Checks the uploaded object against the declaration: size, SHA-256, content type, file signature.
   * On success moves it to `evidence/…`; on mismatch deletes it and throws 422 EVIDENCE_MISMATCH naming
   * the failed check; 422 EVIDENCE_NOT_UPLOADED when nothing was uploaded.
   */
  async verifyUpload(
    ref: EvidenceRef,
    declared: EvidenceDeclaration & { readonly uploadExpiresAt?: string },
  ): Promise<VerifiedEvidence> {
    checkRef(ref);
    const bucket = this.bucket();
    const key = incomingKey(ref);
    let object: GetObjectCommandOutput;
    try {
      object = await this.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      if (e instanceof NoSuchKey || (e as Error).name === 'NoSuchKey') {
        throw new UnprocessableError(
          'EVIDENCE_NOT_UPLOADED',
          'No uploaded file was found for this evidence; upload it with the issued form, then confirm.',
        );
      }
      throw e;
    }
    const hash = createHash('sha256');
    const head = new Uint8Array(SIGNATURE_BYTES);
    let size = 0;
    let tooLarge = false;
    const body = object.Body as AsyncIterable<Uint8Array> & { destroy?: () => void };
    for await (const chunk of body) {
      if (size < SIGNATURE_BYTES) head.set(chunk.subarray(0, SIGNATURE_BYTES - size), size);
      size += chunk.byteLength;
      if (size > declared.sizeBytes || size > EVIDENCE_MAX_BYTES) {
        tooLarge = true;
        body.destroy?.();
        break;
      }
      hash.update(chunk);
    }
    const errors: FieldError[] = [];
    // An upload after the form expired (S3 enforces the policy's expiration; s3rver does not, so the
    // server does too): the store's upload instant, read on the business clock, against `expiresAt`.
    const uploadedAt = object.LastModified
      ? new Date(object.LastModified.getTime() + (clock.now().getTime() - Date.now()))
      : undefined;
    if (
      declared.uploadExpiresAt &&
      uploadedAt &&
      uploadedAt.getTime() > Date.parse(declared.uploadExpiresAt)
    ) {
      errors.push({
        path: 'expiresAt',
        message: `the file was uploaded after the upload form expired at ${declared.uploadExpiresAt}`,
      });
    }
    if (tooLarge || size !== declared.sizeBytes) {
      errors.push({
        path: 'sizeBytes',
        message: tooLarge
          ? `the stored file is larger than the declared ${declared.sizeBytes} bytes`
          : `the stored file has ${size} bytes, ${declared.sizeBytes} were declared`,
      });
    } else if (hash.digest('hex') !== declared.sha256) {
      errors.push({ path: 'sha256', message: 'the stored file’s SHA-256 differs from the declared one' });
    }
    const storedType = object.ContentType?.split(';')[0]?.trim();
    if (storedType !== declared.contentType || !ALLOWED_EVIDENCE_TYPES[declared.contentType]) {
      errors.push({
        path: 'contentType',
        message: `stored as ${storedType ?? 'unknown'}, declared ${declared.contentType}`,
      });
    }
    if (!tooLarge && size >= 1 && !signatureMatches(declared.contentType, head)) {
      errors.push({
        path: 'signature',
        message: `the file’s first bytes are not those of a ${declared.contentType} file`,
      });
    }
    if (errors.length) {
      await this.s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      throw new UnprocessableError(
        'EVIDENCE_MISMATCH',
        `The uploaded file does not match its declaration (${errors.map((e) => e.path).join(', ')}); it was deleted — upload it again.`,
        errors,
      );
    }
    const finalKey = evidenceKey(ref);
    await this.s3().send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: finalKey,
        CopySource: `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
        MetadataDirective: 'COPY',
      }),
    );
    await this.s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    return { key: finalKey, sizeBytes: size, sha256: declared.sha256, contentType: declared.contentType };
  }

  /** Deletes verified evidence (e.g. GuardDuty found malware in it); deleting a missing object is fine. */
  async deleteVerified(ref: EvidenceRef): Promise<void> {
    checkRef(ref);
    await this.s3().send(new DeleteObjectCommand({ Bucket: this.bucket(), Key: evidenceKey(ref) }));
  }

  /** A presigned GET of verified evidence (≤ 5 min); the caller audits the download. */
  async downloadUrl(ref: EvidenceRef, fileName?: string): Promise<{ url: string; expiresAt: string }> {
    checkRef(ref);
    const safeName = fileName?.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 200);
    const url = await getSignedUrl(
      this.s3(),
      new GetObjectCommand({
        Bucket: this.bucket(),
        Key: evidenceKey(ref),
        ...(safeName
          ? { ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(safeName)}` }
          : {}),
      }),
      { expiresIn: DOWNLOAD_URL_TTL_SECONDS },
    );
    return {
      url,
      expiresAt: new Date(clock.now().getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString(),
    };
  }
}
