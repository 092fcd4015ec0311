import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from '../functions/core/notifications.ts';
import { ROLES, type Role } from '../functions/shared/roles.ts';

/**
 * Typed per-stage settings, selected with `-c stage=<name>` (default `dev`).
 *
 * Data residency: personal data of state organs stays in China (PIPL Art. 36), so the production
 * stage targets an AWS China region (partition `aws-cn`). The partition is derived from the region
 * through CDK's region facts, never typed by hand, and every feature that differs there is a setting
 * here rather than a condition in the stacks.
 */

/** Who issues the JWTs that the HTTP API's authorizer accepts. */
export type IdentityConfig =
  /** A Cognito user pool in the stateful stack (regions where Cognito user pools exist). */
  | {
      readonly kind: 'cognito';
      /** Cognito threat protection (Plus feature plan, enforced mode). */
      readonly threatProtection: boolean;
    }
  /**
   * An external OpenID Connect issuer (e.g. the government's unified identity platform or a
   * Keycloak realm operated in China). Amazon Cognito user pools are not offered in the China
   * regions, so the China stage uses this. The issuer must put the caller's roles in a
   * `cognito:groups` claim (a claim mapper in Keycloak does that) so the handlers read them unchanged.
   */
  | {
      readonly kind: 'oidc';
      readonly issuerUrl: string;
      readonly audience: readonly string[];
      /** Where its signing keys are published (Keycloak: `<issuer>/protocol/openid-connect/certs`). */
      readonly jwksUrl: string;
    };

export interface StageConfig {
  readonly stage: string;
  /** Deploy-time account; stacks stay account-agnostic (synth needs no credentials) when unset. */
  readonly account?: string;
  readonly region: string;
  /** Derived from `region` through CDK's region facts: `aws` or `aws-cn`. */
  readonly partition: string;
  /** Prefix of physical names: `zs-ai-<stage>`. */
  readonly prefix: string;
  /** Art. 14: the measures are in force until this date; recognitions end with it. */
  readonly policyEndDate: string;
  /** Art. 9(1): days an officer has for a manual USCC verification before reminders and escalation. */
  readonly verificationDueDays: number;
  readonly api: {
    /** Default-stage steady-state requests per second. */
    readonly rateLimit: number;
    readonly burstLimit: number;
  };
  readonly logRetention: RetentionDays;
  /** Optional address subscribed to the alarm topic. */
  readonly alarmEmail?: string;
  /** Origins of the consoles: API CORS, evidence bucket CORS (browser POST uploads), OAuth callbacks. */
  readonly allowedOrigins: readonly string[];
  readonly evidence: {
    /** Days a replaced or deleted evidence version is kept before it expires. */
    readonly noncurrentVersionDays: number;
    /** Days S3 server access logs are kept. */
    readonly accessLogDays: number;
  };
  /**
   * GuardDuty Malware Protection for S3 on the evidence bucket's `evidence/` prefix; evidence counts
   * only once its verdict is clean (`EVIDENCE_MALWARE_SCAN` for the functions).
   */
  readonly malwareProtection: boolean;
  /** The notification outbox's e-mail processor ("whoever must act next is told"). */
  readonly notifications: NotificationSettings;
  readonly tracing: {
    /** X-Ray active tracing on Lambda (not offered for Lambda in the China regions). */
    readonly lambda: boolean;
    /** X-Ray tracing on the state machines. */
    readonly stateMachines: boolean;
  };
  readonly identity: IdentityConfig;
  /** Where and how the web consoles are served (infra/constructs/web-console.ts). */
  readonly console: ConsoleSettings;
  /** Stateful resources (table, key, buckets, user pool) are always retained. */
  readonly statefulRemovalPolicy: RemovalPolicy;
}

/**
 * How new notifications leave the system. `ses`: e-mailed through Amazon SES from `from` (a verified
 * identity: the address itself or its domain). `log`: logged only, people read them through
 * `GET /v1/notifications` — the China stage uses it because SES is not offered in the China regions
 * (a domestic e-mail/SMS provider would be a new Mailer adapter).
 */
export interface NotificationSettings {
  readonly channel: NotificationChannel;
  readonly from?: string;
  /** Distribution address per role, for notifications addressed to a role (e.g. the office's inbox). */
  readonly roleAddresses: Readonly<Partial<Record<Role, string>>>;
}

/**
 * The web consoles' static site (S3 + CloudFront). CloudFront in the China regions serves nothing on
 * its default `*.cloudfront.cn` name: it needs an ICP-filed alternate domain and an IAM server
 * certificate (ACM certificates are not accepted there), so such a stage builds the site only when
 * both are given (`-c consoleDomain -c consoleCertificateId`); otherwise the synth warns and skips it.
 */
export interface ConsoleSettings {
  /** Build the site at all; false when a China stage lacks its domain or certificate. */
  readonly enabled: boolean;
  /** The alternate domain name (CNAME) of the distribution, e.g. `ai-platform.zs.gov.cn`. */
  readonly domain?: string;
  /** IAM server certificate id (`ASCA…`) for `domain`: CloudFront in China takes IAM certificates only. */
  readonly iamCertificateId?: string;
  /** The external issuer's authorize endpoint for the hosted sign-in (`oidc` identity only). */
  readonly authorizeUrl?: string;
  /** The external issuer's token endpoint (the console redeems the code there with PKCE; `oidc` only). */
  readonly tokenUrl?: string;
  /** Why the site is not built (a synth warning), when `enabled` is false. */
  readonly skippedBecause?: string;
}

/** What a stage file fixes; `partition` and `prefix` are derived. */
type StageDefaults = Omit<StageConfig, 'stage' | 'partition' | 'prefix' | 'identity' | 'console'> & {
  readonly identity: IdentityConfig | { readonly kind: 'oidc-from-context' };
};

const COMMON = {
  policyEndDate: '2027-12-31',
  verificationDueDays: 5,
  statefulRemovalPolicy: RemovalPolicy.RETAIN,
} as const;

/**
 * The stages. `dev` runs in a commercial region with synthetic data only (Cognito, X-Ray and
 * GuardDuty Malware Protection for S3 are all available there); `prod` runs in China (Ningxia).
 */
export const STAGES: Readonly<Record<string, StageDefaults>> = {
  dev: {
    ...COMMON,
    region: 'ap-southeast-1',
    api: { rateLimit: 50, burstLimit: 100 },
    logRetention: RetentionDays.ONE_MONTH,
    allowedOrigins: ['http://localhost:5173'],
    evidence: { noncurrentVersionDays: 30, accessLogDays: 90 },
    malwareProtection: true,
    notifications: {
      channel: 'ses',
      from: 'no-reply@ai-platform-dev.example.com',
      roleAddresses: {
        officer: 'office-dev@ai-platform-dev.example.com',
        approver: 'leadership-dev@ai-platform-dev.example.com',
        admin: 'admin-dev@ai-platform-dev.example.com',
      },
    },
    tracing: { lambda: true, stateMachines: true },
    identity: { kind: 'cognito', threatProtection: true },
  },
  prod: {
    ...COMMON,
    region: 'cn-northwest-1',
    api: { rateLimit: 200, burstLimit: 400 },
    logRetention: RetentionDays.ONE_YEAR,
    allowedOrigins: ['https://ai-platform.zs.gov.cn'],
    evidence: { noncurrentVersionDays: 365, accessLogDays: 365 },
    // Not offered in the China regions at the time of writing: switch on once it is.
    malwareProtection: false,
    // SES is not offered in the China regions: notifications are logged and read through the API.
    notifications: { channel: 'log', roleAddresses: {} },
    tracing: { lambda: false, stateMachines: true },
    identity: { kind: 'oidc-from-context' },
  },
};

const httpsUrl = z.url({ protocol: /^https$/ });
const origin = z.url({ protocol: /^https?$/ }).refine((u) => new URL(u).origin === u, {
  message: 'must be a bare origin such as https://example.gov.cn (no path, no trailing slash)',
});

/** Context overrides (`-c key=value`); all optional, all validated. */
const ContextSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,15}$/, 'stage must be lowercase letters, digits and dashes (2–16 chars)')
    .default('dev'),
  account: z
    .string()
    .regex(/^\d{12}$/, 'account must be a 12-digit AWS account id')
    .optional(),
  alarmEmail: z.email().optional(),
  allowedOrigins: z
    .string()
    .transform((s) => s.split(',').map((o) => o.trim()))
    .pipe(z.array(origin).min(1))
    .optional(),
  oidcIssuer: httpsUrl.optional(),
  oidcAudience: z
    .string()
    .transform((s) => s.split(',').map((a) => a.trim()))
    .pipe(z.array(z.string().min(1)).min(1))
    .optional(),
  /** The external issuer's JWKS (optional-auth routes verify tokens themselves); default `<issuer>/.well-known/jwks.json`. */
  oidcJwksUrl: httpsUrl.optional(),
  /** The external issuer's authorize endpoint for the consoles' sign-in; default `<issuer>/authorize`. */
  oidcAuthorizeUrl: httpsUrl.optional(),
  oidcTokenUrl: httpsUrl.optional(),
  /** The consoles' domain name (an ICP-filed CNAME in China), e.g. `ai-platform.zs.gov.cn`. */
  consoleDomain: z
    .string()
    .regex(
      /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/,
      'must be a lowercase domain name',
    )
    .optional(),
  /** IAM server certificate id for `consoleDomain` (CloudFront in China accepts IAM certificates only). */
  consoleCertificateId: z
    .string()
    .regex(/^[A-Z0-9]{16,32}$/, 'must be an IAM server certificate id such as ASCA…')
    .optional(),
  /** Notification channel override: `ses` needs a verified `notificationFrom`. */
  notificationChannel: z.enum(NOTIFICATION_CHANNELS).optional(),
  notificationFrom: z.email().optional(),
  /** `role=address,role=address`: distribution addresses for role notifications. */
  notificationRoleAddresses: z
    .string()
    .transform((s) =>
      Object.fromEntries(
        s
          .split(',')
          .map((pair) => pair.split('=').map((p) => p.trim()))
          .map(([role, address]) => [role ?? '', address ?? '']),
      ),
    )
    .pipe(z.partialRecord(z.enum(ROLES), z.email()))
    .optional(),
});

export type ContextReader = (key: string) => unknown;

/** A stage setting is missing or invalid; the message names the `-c` option to fix. */
export class StageConfigError extends Error {
  override name = 'StageConfigError';
}

/**
 * Resolves the stage configuration from CDK context (`-c stage=prod -c oidcIssuer=https://…`).
 * Fails with a message naming the setting to fix.
 */
export function loadStageConfig(readContext: ContextReader): StageConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ContextSchema.shape)) {
    const value = readContext(key);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = ContextSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `-c ${i.path.join('.')}: ${i.message}`).join('; ');
    throw new StageConfigError(`Invalid CDK context: ${issues}`);
  }
  const ctx = parsed.data;
  const defaults = STAGES[ctx.stage];
  if (!defaults) {
    throw new StageConfigError(
      `Unknown stage "${ctx.stage}": use -c stage=<${Object.keys(STAGES).join('|')}>`,
    );
  }
  const partition = RegionInfo.get(defaults.region).partition;
  if (!partition)
    throw new StageConfigError(`Stage ${ctx.stage}: region ${defaults.region} is not a known AWS region`);

  let identity: IdentityConfig;
  if (defaults.identity.kind === 'oidc-from-context') {
    if (!ctx.oidcIssuer || !ctx.oidcAudience) {
      throw new StageConfigError(
        `Stage ${ctx.stage} (${defaults.region}) authenticates with an external OpenID Connect issuer ` +
          '(Amazon Cognito user pools are not offered in the China regions): pass ' +
          '-c oidcIssuer=https://<issuer> -c oidcAudience=<client id>[,<client id>...]',
      );
    }
    identity = {
      kind: 'oidc',
      issuerUrl: ctx.oidcIssuer,
      audience: ctx.oidcAudience,
      jwksUrl: ctx.oidcJwksUrl ?? `${ctx.oidcIssuer.replace(/\/$/, '')}/.well-known/jwks.json`,
    };
  } else {
    identity = defaults.identity;
  }

  const notifications: NotificationSettings = {
    channel: ctx.notificationChannel ?? defaults.notifications.channel,
    roleAddresses: ctx.notificationRoleAddresses ?? defaults.notifications.roleAddresses,
    ...((ctx.notificationFrom ?? defaults.notifications.from)
      ? { from: ctx.notificationFrom ?? defaults.notifications.from }
      : {}),
  };
  if (notifications.channel === 'ses' && !notifications.from) {
    throw new StageConfigError(
      `Stage ${ctx.stage}: notifications by SES need a verified sender: pass -c notificationFrom=<address>`,
    );
  }
  if (notifications.channel === 'ses' && partition === 'aws-cn') {
    throw new StageConfigError(
      `Stage ${ctx.stage} (${defaults.region}): Amazon SES is not offered in the China regions; use -c notificationChannel=log`,
    );
  }

  const { identity: _ignored, ...rest } = defaults;
  return {
    ...rest,
    console: consoleSettings(ctx, partition, identity),
    notifications,
    stage: ctx.stage,
    partition,
    prefix: `zs-ai-${ctx.stage}`,
    identity,
    ...(ctx.account ? { account: ctx.account } : {}),
    ...(ctx.alarmEmail ? { alarmEmail: ctx.alarmEmail } : {}),
    ...(ctx.allowedOrigins ? { allowedOrigins: ctx.allowedOrigins } : {}),
  };
}

/**
 * The consoles' site settings. Outside China the distribution's default domain and certificate serve
 * it (a custom domain is optional and needs both values). In China both are required, else skipped.
 */
function consoleSettings(
  ctx: z.infer<typeof ContextSchema>,
  partition: string,
  identity: IdentityConfig,
): ConsoleSettings {
  if (Boolean(ctx.consoleDomain) !== Boolean(ctx.consoleCertificateId)) {
    throw new StageConfigError(
      `Stage ${ctx.stage}: a console domain needs its certificate: pass both -c consoleDomain=<name> and -c consoleCertificateId=<IAM server certificate id>`,
    );
  }
  const authorizeUrl =
    identity.kind === 'oidc'
      ? (ctx.oidcAuthorizeUrl ?? `${identity.issuerUrl.replace(/\/$/, '')}/authorize`)
      : undefined;
  const tokenUrl =
    identity.kind === 'oidc'
      ? (ctx.oidcTokenUrl ?? `${identity.issuerUrl.replace(/\/$/, '')}/token`)
      : undefined;
  const common = {
    ...(ctx.consoleDomain ? { domain: ctx.consoleDomain } : {}),
    ...(ctx.consoleCertificateId ? { iamCertificateId: ctx.consoleCertificateId } : {}),
    ...(authorizeUrl ? { authorizeUrl } : {}),
    ...(tokenUrl ? { tokenUrl } : {}),
  };
  if (partition === 'aws-cn' && !ctx.consoleDomain) {
    return {
      ...common,
      enabled: false,
      skippedBecause:
        `Stage ${ctx.stage}: the web consoles are not deployed. CloudFront in the China regions serves only an ` +
        'ICP-filed alternate domain with an IAM server certificate: pass -c consoleDomain=<name> ' +
        '-c consoleCertificateId=<IAM server certificate id> to deploy them.',
    };
  }
  return { ...common, enabled: true };
}
