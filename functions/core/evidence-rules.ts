import type { FieldError } from '../shared/errors.ts';

/**
 * Evidence files (Art. 8(1) materials, Art. 12 self-evaluation evidence, Art. 13 revocation responses):
 * what may be uploaded, how large, and how a file proves its type (magic bytes). The server checks the
 * stored object against the declaration before the evidence counts; locally s3rver enforces no upload
 * policy, so this check is what makes local and AWS equally safe.
 */
export const EVIDENCE_MAX_BYTES = 25 * 1024 * 1024;
/** Presigned POST lifetime (≤ 15 min). */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;
/** Presigned GET lifetime (≤ 5 min); every download is audited. */
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

export type FileSignature = 'pdf' | 'png' | 'jpeg' | 'zip' | 'ole';

/** Magic bytes of each signature. */
export const SIGNATURES: Readonly<Record<FileSignature, readonly number[]>> = {
  pdf: [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  jpeg: [0xff, 0xd8, 0xff],
  zip: [0x50, 0x4b, 0x03, 0x04], // PK\x03\x04: ZIP and Office OOXML
  ole: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], // legacy Office (OLE2)
};

/** The allowed content types and the signature each must carry. */
export const ALLOWED_EVIDENCE_TYPES: Readonly<Record<string, FileSignature>> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'application/zip': 'zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'zip',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'zip',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'zip',
  'application/msword': 'ole',
  'application/vnd.ms-excel': 'ole',
  'application/vnd.ms-powerpoint': 'ole',
};

/** Bytes needed to recognise any signature. */
export const SIGNATURE_BYTES = Math.max(...Object.values(SIGNATURES).map((s) => s.length));

/** True when `head` starts with the signature the content type requires. */
export function signatureMatches(contentType: string, head: Uint8Array): boolean {
  const kind = ALLOWED_EVIDENCE_TYPES[contentType];
  if (!kind) return false;
  const magic = SIGNATURES[kind];
  return magic.every((byte, i) => head[i] === byte);
}

export interface EvidenceDeclaration {
  readonly contentType: string;
  readonly sizeBytes: number;
  /** Lower-case hex SHA-256 of the file. */
  readonly sha256: string;
}

/** Checks what the client declares before an upload URL is issued; returns the field errors. */
export function declarationErrors(d: EvidenceDeclaration): FieldError[] {
  const errors: FieldError[] = [];
  if (!ALLOWED_EVIDENCE_TYPES[d.contentType]) {
    errors.push({
      path: 'contentType',
      message: `not an allowed type; allowed: ${Object.keys(ALLOWED_EVIDENCE_TYPES).join(', ')}`,
    });
  }
  if (!Number.isInteger(d.sizeBytes) || d.sizeBytes < 1 || d.sizeBytes > EVIDENCE_MAX_BYTES) {
    errors.push({ path: 'sizeBytes', message: `must be an integer from 1 to ${EVIDENCE_MAX_BYTES}` });
  }
  if (!/^[0-9a-f]{64}$/.test(d.sha256)) {
    errors.push({ path: 'sha256', message: 'must be the file’s SHA-256 as 64 lower-case hex digits' });
  }
  return errors;
}
