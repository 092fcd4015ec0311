import { describe, expect, it } from 'vitest';
import {
  ALLOWED_EVIDENCE_TYPES,
  declarationErrors,
  EVIDENCE_MAX_BYTES,
  signatureMatches,
} from '../../functions/core/evidence-rules.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('file signatures', () => {
  it.each([
    ['application/pdf', bytes(0x25, 0x50, 0x44, 0x46, 0x2d, 0x31), true],
    ['application/pdf', bytes(0x25, 0x50, 0x44, 0x46, 0x20), false],
    ['image/png', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), true],
    ['image/png', bytes(0xff, 0xd8, 0xff, 0xe0), false],
    ['image/jpeg', bytes(0xff, 0xd8, 0xff, 0xe0), true],
    [
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      bytes(0x50, 0x4b, 0x03, 0x04),
      true,
    ],
    ['application/msword', bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), true],
    ['application/msword', bytes(0x50, 0x4b, 0x03, 0x04), false],
    ['text/html', bytes(0x3c, 0x68), false],
    ['application/pdf', bytes(0x25, 0x50), false],
  ])('%s with %o → %s', (type, head, ok) => {
    expect(signatureMatches(type, head)).toBe(ok);
  });
});

describe('declarationErrors', () => {
  const ok = { contentType: 'application/pdf', sizeBytes: 1, sha256: 'a'.repeat(64) };
  it.each([
    [ok, []],
    [{ ...ok, sizeBytes: EVIDENCE_MAX_BYTES }, []],
    [{ ...ok, sizeBytes: EVIDENCE_MAX_BYTES + 1 }, ['sizeBytes']],
    [{ ...ok, sizeBytes: 0 }, ['sizeBytes']],
    [{ ...ok, sizeBytes: 1.5 }, ['sizeBytes']],
    [{ ...ok, sha256: 'A'.repeat(64) }, ['sha256']],
    [{ ...ok, contentType: 'application/x-msdownload' }, ['contentType']],
  ])('%o → %o', (declared, paths) => {
    expect(declarationErrors(declared).map((e) => e.path)).toEqual(paths);
  });
  it('allows the documented types only', () => {
    expect(Object.keys(ALLOWED_EVIDENCE_TYPES)).toContain('application/pdf');
    expect(Object.keys(ALLOWED_EVIDENCE_TYPES)).not.toContain('text/html');
  });
});
