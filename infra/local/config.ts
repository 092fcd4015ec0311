import path from 'node:path';
import { z } from 'zod';

/**
 * Settings of the local runtime (`npm start`), read from the environment with defaults.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `HOST` | `127.0.0.1` | interface every local service listens on |
 * | `PORT` | `3000` | the HTTP API; `0` picks a free port (printed) |
 * | `DATA_DIR` | `.data` | persisted data: `dynamodb/`, `s3/`, `issuer/` (git-ignored) |
 * | `DYNAMODB_PORT` | `8000` | DynamoDB Local; `0` picks a free port |
 * | `S3_PORT` | `4569` | s3rver; `0` picks a free port |
 * | `TABLE_NAME` | `zs-local-registry` | the registry table (created on first start) |
 * | `EVIDENCE_BUCKET` | `zs-local-evidence` | the evidence bucket (created on first start) |
 * | `DEADLINE_JOB_EVERY_SECONDS` | `60` | period of the local scheduler; `0`: run once at start and on demand only |
 */
const Port = z.coerce
  .number()
  .int('a whole number')
  .min(0, 'a port from 0 (any free port) to 65535')
  .max(65_535, 'a port from 0 (any free port) to 65535');

const LocalEnvSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: Port.default(3000),
  DATA_DIR: z.string().min(1).default('.data'),
  DYNAMODB_PORT: Port.default(8000),
  S3_PORT: Port.default(4569),
  TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, '3–255 characters: letters, digits, _ . and -')
    .default('zs-local-registry'),
  EVIDENCE_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, '3–63 characters: lower-case letters, digits, . and -')
    .default('zs-local-evidence'),
  DEADLINE_JOB_EVERY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
});

export interface LocalConfig {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the data folder. */
  readonly dataDir: string;
  readonly dynamoPort: number;
  readonly s3Port: number;
  readonly tableName: string;
  readonly evidenceBucket: string;
  /** 0: the deadline job runs at start and on demand (`POST /dev/jobs/deadlines/run`) only. */
  readonly deadlineJobEverySeconds: number;
}

/** The environment variables the local runtime reads (documented in the README). */
export const LOCAL_ENV_VARS = Object.keys(LocalEnvSchema.shape);

/**
 * Reads the local runtime's settings; empty variables count as unset. Throws one error that names
 * every invalid variable and what it must be.
 */
export function readLocalConfig(
  environment: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): LocalConfig {
  const present = Object.fromEntries(
    LOCAL_ENV_VARS.flatMap((name) => {
      const value = environment[name]?.trim();
      return value ? [[name, value]] : [];
    }),
  );
  const parsed = LocalEnvSchema.safeParse(present);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.join('.')}=${present[String(i.path[0])] ?? ''}: ${i.message}`,
    );
    throw new Error(`Invalid setting(s) for the local runtime: ${issues.join('; ')}`);
  }
  const v = parsed.data;
  return {
    host: v.HOST,
    port: v.PORT,
    dataDir: path.resolve(cwd, v.DATA_DIR),
    dynamoPort: v.DYNAMODB_PORT,
    s3Port: v.S3_PORT,
    tableName: v.TABLE_NAME,
    evidenceBucket: v.EVIDENCE_BUCKET,
    deadlineJobEverySeconds: v.DEADLINE_JOB_EVERY_SECONDS,
  };
}
