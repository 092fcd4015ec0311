import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { GLOBAL_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../functions/adapters/table-schema.ts';
import { ROLES, type Role } from '../../functions/shared/roles.ts';
import type { StageConfig } from '../config.ts';
import { acknowledgeResourceWildcard } from '../constructs/nag.ts';
import { PRIVATE_BUCKET } from '../constructs/private-bucket.ts';
import { distinctOrigins } from '../constructs/web-console.ts';

/** Prefix of evidence objects uploaded but not yet confirmed (DESIGN.md, evidence uploads). */
export const INCOMING_PREFIX = 'incoming/';

/**
 * Prefix of confirmed evidence (the server moves a verified upload here); GuardDuty Malware Protection
 * scans it where the stage enables it, and the evidence counts once the verdict is clean.
 */
export const EVIDENCE_PREFIX = 'evidence/';

/** Days after which an unconfirmed upload under `incoming/` expires. */
export const INCOMING_EXPIRY_DAYS = 2;

/** The issuer and audiences the HTTP API's JWT authorizer accepts. */
export interface JwtIssuer {
  readonly issuerUrl: string;
  readonly audience: readonly string[];
}

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
  /**
   * The deployed consoles' origin (`https://<distribution domain>`, from the web stack): browsers upload
   * evidence from it (CORS) and the hosted sign-in returns to it.
   */
  readonly consoleOrigin?: string;
}

/** The Cognito hosted sign-in of the deployed consoles (written to their `config.json`). */
export interface HostedSignIn {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly logoutUrl: string;
}

/** The six roles of the API contract as user pool groups, with what each may do under the measures. */
const GROUP_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  applicant:
    'Applicant and host organisation staff (申报单位/依托单位): apply, upload evidence, report (Art. 3, 8–10, 12)',
  officer:
    'City AI Industry Office staff (市人工智能产业办公室): calls, reviews, evaluations, revocations (Art. 4, 8, 12, 13)',
  expert: 'Review expert: scores the applications assigned to them (Art. 8(3))',
  approver:
    'Office leadership: final decisions on proposed lists, grades and revocations (Art. 8(4), 12, 13)',
  observer: 'MIIT bureau, data bureau, sector authorities: read-only, shared data only (Art. 11)',
  admin: 'System administrator: experts, calendar, settings (Art. 14)',
};

/** Trust principal of GuardDuty Malware Protection for S3 (a global service principal name). */
const MALWARE_PLAN_PRINCIPAL = 'malware-protection-plan.guardduty.amazonaws.com';

/**
 * Everything that holds data and must outlive a redeploy: the registry table, the evidence bucket
 * (and its access-log bucket), the customer-managed key for both, and the user pool. All RETAIN,
 * deletion-protected where the service allows it.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly evidenceBucket: s3.Bucket;
  readonly dataKey: kms.Key;
  readonly userPool?: cognito.UserPool;
  readonly userPoolClient?: cognito.UserPoolClient;
  /** The deployed consoles' hosted sign-in, where there is a user pool and a console origin. */
  readonly hostedSignIn?: HostedSignIn;
  /** What the JWT authorizer trusts: the user pool here, or the stage's external OIDC issuer. */
  readonly jwtIssuer: JwtIssuer;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retain = config.statefulRemovalPolicy;

    // Personal data of applicants (PIPL): a customer-managed key gives a key policy as a second gate,
    // a CloudTrail record of every decrypt (Art. 11: evidence access is audited) and crypto-shredding.
    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: `alias/${config.prefix}-data`,
      description: `Registry table and evidence bucket of ${config.prefix} (personal data, PIPL)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: retain,
    });

    const indexKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.TableV2(this, 'Registry', {
      tableName: `${config.prefix}-registry`,
      partitionKey: indexKey(TABLE_KEYS.partitionKey),
      sortKey: indexKey(TABLE_KEYS.sortKey),
      billing: dynamodb.Billing.onDemand(),
      globalSecondaryIndexes: GLOBAL_INDEXES.map((index) => ({
        indexName: index.name,
        partitionKey: indexKey(index.partitionKey),
        sortKey: indexKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // New images feed the notification e-mail processor (the outbox: new `type = notification` items).
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.dataKey),
      removalPolicy: retain,
    });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logs can only be delivered to SSE-S3 buckets.
      ...PRIVATE_BUCKET,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(config.evidence.accessLogDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: retain,
    });

    this.evidenceBucket = new s3.Bucket(this, 'Evidence', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      cors: [
        {
          // Browsers upload with a presigned POST straight from the consoles; downloads are presigned GETs.
          allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: distinctOrigins(...config.allowedOrigins, props.consoleOrigin),
          allowedHeaders: ['content-type', 'content-length', 'content-md5', 'x-amz-*'],
          exposedHeaders: ['ETag', 'x-amz-version-id'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        {
          id: 'expire-unconfirmed-uploads',
          prefix: INCOMING_PREFIX,
          expiration: Duration.days(INCOMING_EXPIRY_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(config.evidence.noncurrentVersionDays),
          expiredObjectDeleteMarker: true,
        },
      ],
      removalPolicy: retain,
    });

    if (config.malwareProtection) this.addMalwareProtection();

    if (config.identity.kind === 'cognito') {
      const { pool, client } = this.addUserPool(config, config.identity.threatProtection);
      this.userPool = pool;
      this.userPoolClient = client;
      const hosted = props.consoleOrigin
        ? this.addHostedSignIn(config, pool, props.consoleOrigin)
        : undefined;
      this.hostedSignIn = hosted?.signIn;
      this.jwtIssuer = {
        issuerUrl: `https://cognito-idp.${this.region}.${this.urlSuffix}/${pool.userPoolId}`,
        // The authorizer accepts tokens of both clients (Cognito puts the client id in `aud`/`client_id`).
        audience: [client.userPoolClientId, ...(hosted ? [hosted.clientId] : [])],
      };
    } else {
      this.jwtIssuer = { issuerUrl: config.identity.issuerUrl, audience: config.identity.audience };
    }
  }

  /** Scans every object under `evidence/` (confirmed uploads) for malware; evidence counts once it is clean. */
  private addMalwareProtection(): void {
    const bucket = this.evidenceBucket;
    const ruleArn = this.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: 'DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*',
    });
    const role = new iam.Role(this, 'MalwareProtectionRole', {
      assumedBy: new iam.ServicePrincipal(MALWARE_PLAN_PRINCIPAL),
      description: 'GuardDuty Malware Protection for S3: scans and tags new evidence uploads',
    });
    const statements = [
      new iam.PolicyStatement({
        sid: 'ManagedRule',
        actions: ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets'],
        resources: [ruleArn],
        conditions: { StringLike: { 'events:ManagedBy': MALWARE_PLAN_PRINCIPAL } },
      }),
      new iam.PolicyStatement({
        sid: 'MonitorManagedRule',
        actions: ['events:DescribeRule', 'events:ListTargetsByRule'],
        resources: [ruleArn],
      }),
      new iam.PolicyStatement({
        sid: 'BucketNotificationsAndOwnership',
        actions: ['s3:PutBucketNotification', 's3:GetBucketNotification', 's3:ListBucket'],
        resources: [bucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'ValidationObject',
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('malware-protection-resource-validation-object')],
      }),
      new iam.PolicyStatement({
        sid: 'ScanAndTagIncoming',
        actions: [
          's3:GetObject',
          's3:GetObjectVersion',
          's3:GetObjectTagging',
          's3:GetObjectVersionTagging',
          's3:PutObjectTagging',
          's3:PutObjectVersionTagging',
        ],
        resources: [bucket.arnForObjects(`${EVIDENCE_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'DecryptForScan',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.dataKey.keyArn],
        conditions: { StringLike: { 'kms:ViaService': `s3.${this.region}.${this.urlSuffix}` } },
      }),
    ];
    const policy = new iam.Policy(this, 'MalwareProtectionPolicy', { statements });
    policy.attachToRole(role);
    const reason =
      'GuardDuty creates its managed EventBridge rule under this documented name prefix and scans every new object under evidence/ (resource wildcards, no action wildcards).';
    acknowledgeResourceWildcard(policy, ruleArn, reason);
    acknowledgeResourceWildcard(policy, bucket.arnForObjects(`${EVIDENCE_PREFIX}*`), reason);

    const plan = new guardduty.CfnMalwareProtectionPlan(this, 'MalwareProtectionPlan', {
      role: role.roleArn,
      protectedResource: {
        s3Bucket: { bucketName: bucket.bucketName, objectPrefixes: [EVIDENCE_PREFIX] },
      },
      actions: { tagging: { status: 'ENABLED' } },
    });
    plan.node.addDependency(policy);
  }

  /**
   * The deployed consoles sign in through Cognito's hosted UI (a domain of this pool) with the
   * authorization code grant and PKCE (web/src/session.ts): a public client without a secret, tokens
   * never in the URL, returning only to the console's own origin. A client of its own, so the API
   * client above keeps its own callback URLs.
   */
  private addHostedSignIn(
    config: StageConfig,
    pool: cognito.UserPool,
    origin: string,
  ): { signIn: HostedSignIn; clientId: string } {
    const domain = pool.addDomain('HostedUi', {
      // Globally unique per region: the stage prefix and the account.
      cognitoDomain: { domainPrefix: `${config.prefix}-${this.account}` },
    });
    const client = pool.addClient('ConsoleHostedUi', {
      userPoolClientName: `${config.prefix}-console-hosted-ui`,
      generateSecret: false,
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${origin}/`, `${origin}/index.html`],
        logoutUrls: [`${origin}/`],
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
    });
    const base = domain.baseUrl();
    return {
      clientId: client.userPoolClientId,
      signIn: {
        authorizeUrl: `${base}/oauth2/authorize`,
        tokenUrl: `${base}/oauth2/token`,
        clientId: client.userPoolClientId,
        logoutUrl: `${base}/logout?client_id=${client.userPoolClientId}&logout_uri=${origin}/`,
      },
    };
  }

  /** The user pool: staff decide under the measures and applicants' data is personal data, so MFA is required. */
  private addUserPool(
    config: StageConfig,
    threatProtection: boolean,
  ): { pool: cognito.UserPool; client: cognito.UserPoolClient } {
    const pool = new cognito.UserPool(this, 'Users', {
      userPoolName: `${config.prefix}-users`,
      // Accounts are created by the office (staff) or after an applicant's registration is vetted.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      signInCaseSensitive: false,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      ...(threatProtection
        ? { standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: true,
      removalPolicy: config.statefulRemovalPolicy,
    });
    for (const role of ROLES) {
      new cognito.UserPoolGroup(this, `Group-${role}`, {
        userPool: pool,
        groupName: role,
        description: GROUP_DESCRIPTIONS[role],
      });
    }
    const client = pool.addClient('Consoles', {
      userPoolClientName: `${config.prefix}-consoles`,
      // A public client: browser consoles cannot keep a secret; SRP sign-in, or code grant with PKCE.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: config.allowedOrigins.map((o) => `${o}/auth/callback`),
        logoutUrls: config.allowedOrigins.map((o) => `${o}/`),
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    return { pool, client };
  }
}
