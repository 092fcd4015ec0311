import * as z from 'zod';

/**
 * The typed environment, parsed once with zod. In AWS the CDK stack sets these on every function;
 * the local runtime sets the same names (plus the local endpoints) before it loads a handler.
 */
const EnvSchema = z.object({
  STAGE: z.string().min(1).default('local'),
  AWS_REGION: z.string().min(1).default('cn-north-1'),
  TABLE_NAME: z.string().min(3, 'TABLE_NAME must name the registry table (≥ 3 characters)'),
  EVIDENCE_BUCKET: z.string().min(3).default('zs-evidence-local'),
  /** Local runtime and tests: DynamoDB Local's endpoint. Unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** Local runtime and tests: s3rver's endpoint. Unset in AWS. */
  S3_ENDPOINT: z.url().optional(),
  /** Default end of every recognition (Art. 14); the admin setting overrides it. */
  POLICY_END_DATE: z.iso.date().default('2027-12-31'),
  /** Days an officer has for a manual USCC verification before reminders and escalation. */
  VERIFICATION_DUE_DAYS: z.coerce.number().int().min(1).max(90).default(5),
  APP_VERSION: z.string().default('0.1.0'),
  /** Token issuer (`iss`) that optional-auth routes verify themselves (Cognito pool URL / OIDC issuer / local issuer). */
  JWT_ISSUER: z.url().optional(),
  /** Expected audience (`aud`, or `client_id`): the app client id. */
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** The issuer's JWKS; defaults to `<JWT_ISSUER>/.well-known/jwks.json`. */
  JWKS_URL: z.url().optional(),
  /** Stage setting: evidence counts only after GuardDuty Malware Protection for S3 finds it clean (off locally). */
  EVIDENCE_MALWARE_SCAN: z.stringbool().default(false),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = EnvSchema.safeParse(process.env);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`Invalid environment: ${issues}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Tests and the local runtime: forget the parsed environment after changing process.env. */
export function resetEnv(): void {
  cached = undefined;
}

/** ARN of a workflow's state machine, from `WORKFLOW_<NAME>_ARN` (set by CDK; unused locally). */
export function workflowArn(name: string): string | undefined {
  return process.env[`WORKFLOW_${name.toUpperCase().replace(/-/g, '_')}_ARN`];
}
