import { S3Client } from '@aws-sdk/client-s3';
import { env } from '../shared/env.ts';

/**
 * The S3 client for the evidence bucket, built once per process from `env()`; only the functions that
 * handle evidence import this module (issue 8: the others do not bundle the S3 client). Against s3rver
 * (`S3_ENDPOINT` set): path-style addressing and checksums only when required (s3rver does not
 * implement the newer flexible checksums). Not wrapped for X-Ray subsegments: see powertools.ts.
 */
let s3: S3Client | undefined;

const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The S3 client for the evidence bucket. */
export function s3Client(): S3Client {
  if (!s3) {
    const e = env();
    s3 = new S3Client({
      region: e.AWS_REGION,
      ...(e.S3_ENDPOINT
        ? {
            endpoint: e.S3_ENDPOINT,
            forcePathStyle: true,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          }
        : {}),
      // s3rver knows one account (S3RVER/S3RVER); it skips signature checks but not the key id.
      ...(e.S3_ENDPOINT ? { credentials: S3RVER_CREDENTIALS } : {}),
    });
  }
  return s3;
}

/** Forget the S3 client (after the endpoint changed). */
export function resetS3Client(): void {
  s3?.destroy();
  s3 = undefined;
}
