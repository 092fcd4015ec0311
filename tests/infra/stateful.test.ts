import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUE_INDEX, GSI1, TABLE_KEYS, TTL_ATTRIBUTE } from '../../functions/adapters/table-schema.ts';
import { ROLES } from '../../functions/shared/roles.ts';
import { EVIDENCE_PREFIX, INCOMING_EXPIRY_DAYS, INCOMING_PREFIX } from '../../infra/stacks/stateful.ts';
import { PROD_OIDC, resourcesOf, type Synthesised, synthStage } from './support/synth.ts';

const stages: Record<'dev' | 'prod', Synthesised> = {} as Record<'dev' | 'prod', Synthesised>;

beforeAll(() => {
  stages.dev = synthStage('dev');
  stages.prod = synthStage('prod');
});
afterAll(() => {
  for (const s of Object.values(stages)) s.cleanup();
});

const logicalIdOfType = (s: Synthesised, type: string): string => {
  const ids = Object.keys(resourcesOf(s.stateful$, type));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};

describe.each(['dev', 'prod'] as const)('stateful stack (%s)', (stage) => {
  const s = (): Synthesised => stages[stage];

  it('keeps every stateful resource on deletion and replacement (RETAIN)', () => {
    const template = s().stateful$.toJSON() as { Resources: Record<string, Record<string, unknown>> };
    const stateful = Object.entries(template.Resources).filter(([, r]) =>
      ['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Cognito::UserPool'].includes(
        String(r.Type),
      ),
    );
    expect(stateful.length).toBeGreaterThanOrEqual(4);
    for (const [id, resource] of stateful) {
      expect(resource.DeletionPolicy, id).toBe('Retain');
      expect(resource.UpdateReplacePolicy, id).toBe('Retain');
    }
    expect(s().stateful.terminationProtection).toBe(true);
  });

  it('encrypts table and evidence with one rotating customer-managed key', () => {
    const keyId = logicalIdOfType(s(), 'AWS::KMS::Key');
    s().stateful$.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    s().stateful$.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } }),
      ],
    });
    s().stateful$.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      },
    });
  });

  it('builds the registry table from the shared key schema: on demand, PITR, deletion protection, TTL', () => {
    s().stateful$.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: `zs-ai-${stage}-registry`,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      GlobalSecondaryIndexes: Match.arrayWith(
        [GSI1, DUE_INDEX].map((index) =>
          Match.objectLike({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ),
      ),
      Replicas: [
        Match.objectLike({
          Region: s().config.region,
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });

  it('blocks all public access and denies non-TLS (and TLS < 1.2) requests on both buckets', () => {
    const buckets = resourcesOf(s().stateful$, 'AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties?.VersioningConfiguration, id).toEqual({ Status: 'Enabled' });
      s().stateful$.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            }),
          ]),
        },
      });
    }
  });

  it('logs evidence access to the SSE-S3 access-log bucket', () => {
    const buckets = resourcesOf(s().stateful$, 'AWS::S3::Bucket');
    const logs = Object.entries(buckets).find(([, b]) => !b.Properties?.LoggingConfiguration);
    const evidence = Object.entries(buckets).find(([, b]) => b.Properties?.LoggingConfiguration);
    expect(logs && evidence).toBeTruthy();
    expect(evidence?.[1].Properties?.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logs?.[0] },
      LogFilePrefix: 'evidence/',
    });
    expect(logs?.[1].Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('lets browsers POST uploads from the configured origins only', () => {
    s().stateful$.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedMethods: Match.arrayWith(['POST']),
            // The configured origins, then the deployed consoles' distribution (web-console.test.ts).
            AllowedOrigins: [
              ...s().config.allowedOrigins,
              ...(s().web ? [Match.objectLike({ 'Fn::Join': Match.anyValue() })] : []),
            ],
          }),
        ],
      },
    });
    const cors = JSON.stringify(resourcesOf(s().stateful$, 'AWS::S3::Bucket'));
    expect(cors).not.toContain('"AllowedOrigins":["*"]');
  });

  it('expires unconfirmed uploads, aborts stale multipart uploads and ages out old versions', () => {
    s().stateful$.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: INCOMING_PREFIX,
            ExpirationInDays: INCOMING_EXPIRY_DAYS,
            Status: 'Enabled',
          }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: s().config.evidence.noncurrentVersionDays },
            Status: 'Enabled',
          }),
        ]),
      },
    });
    expect(INCOMING_EXPIRY_DAYS).toBe(2);
  });
});

describe('identity (dev: Cognito user pool)', () => {
  it('has the six contract roles as groups, exactly', () => {
    const groups = Object.values(resourcesOf(stages.dev.stateful$, 'AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties?.GroupName,
    );
    expect(groups.sort()).toEqual([...ROLES].sort());
  });

  it('requires MFA (TOTP), a strong password, threat protection and deletion protection', () => {
    stages.dev.stateful$.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      DeletionProtection: 'ACTIVE',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
  });

  it('has a public console client: no secret, SRP or code grant, no implicit grant', () => {
    stages.dev.stateful$.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlows: ['code'],
      PreventUserExistenceErrors: 'ENABLED',
      CallbackURLs: stages.dev.config.allowedOrigins.map((o) => `${o}/auth/callback`),
    });
  });

  it('issues tokens from the partition-aware Cognito issuer URL', () => {
    const issuer = stages.dev.stateful.resolve(stages.dev.stateful.jwtIssuer.issuerUrl);
    expect(JSON.stringify(issuer)).toContain('https://cognito-idp.ap-southeast-1.');
    expect(JSON.stringify(issuer)).toContain('{"Ref":"AWS::URLSuffix"}');
  });
});

describe('identity (prod, China: no Cognito user pools there)', () => {
  it('creates no user pool and trusts the configured external OIDC issuer', () => {
    stages.prod.stateful$.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(stages.prod.stateful.jwtIssuer).toEqual({
      issuerUrl: PROD_OIDC.oidcIssuer,
      audience: [PROD_OIDC.oidcAudience],
    });
  });
});

describe('GuardDuty Malware Protection for S3', () => {
  it('scans the evidence bucket’s evidence/ prefix (confirmed uploads) where it is switched on (dev)', () => {
    const bucketId = Object.entries(resourcesOf(stages.dev.stateful$, 'AWS::S3::Bucket')).find(
      ([, b]) => b.Properties?.LoggingConfiguration,
    )?.[0];
    stages.dev.stateful$.hasResourceProperties('AWS::GuardDuty::MalwareProtectionPlan', {
      ProtectedResource: { S3Bucket: { BucketName: { Ref: bucketId }, ObjectPrefixes: [EVIDENCE_PREFIX] } },
      Actions: { Tagging: { Status: 'ENABLED' } },
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('MalwareProtectionRole'), 'Arn'] },
    });
    stages.dev.stateful$.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Principal: { Service: 'malware-protection-plan.guardduty.amazonaws.com' } }),
        ],
      },
    });
  });

  it('is absent where the stage switches it off (prod, China)', () => {
    expect(stages.prod.config.malwareProtection).toBe(false);
    stages.prod.stateful$.resourceCountIs('AWS::GuardDuty::MalwareProtectionPlan', 0);
  });
});
