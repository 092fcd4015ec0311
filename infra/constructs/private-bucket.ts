import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket of the system has in common (tests/infra/reliability.test.ts sweeps it): no public
 * access, bucket-owner objects, TLS-only (≥ 1.2), versioning. SSE-S3 is the default here because S3
 * server access logs and CloudFront logs can only be delivered to SSE-S3 buckets; the evidence bucket
 * overrides it with the customer-managed data key.
 */
export const PRIVATE_BUCKET = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  versioned: true,
} as const satisfies s3.BucketProps;
