import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStageConfig, StageConfigError } from '../../infra/config.ts';
import { MissingWebBuildError, requireWebBuild, WEB_DIST } from '../../infra/constructs/web-console.ts';
import { stringsWithPaths } from './support/intrinsics.ts';
import { PROD_CONSOLE, PROD_OIDC, resourcesOf, type Synthesised, synthStage } from './support/synth.ts';

/**
 * The web consoles deployed as a static site (issue 7): `ZsAi-<stage>-Web` (private bucket behind
 * CloudFront, security headers, access logs) and `ZsAi-<stage>-WebContent` (the build plus a generated
 * `config.json` with the API's URL and the sign-in settings). Needs `npm run build:web` first.
 */
type Stage = 'dev' | 'prod' | 'prodNoDomain';
const stages = {} as Record<Stage, Synthesised>;
beforeAll(() => {
  stages.dev = synthStage('dev', { nag: true });
  stages.prod = synthStage('prod', {
    nag: true,
    context: {
      ...PROD_CONSOLE,
      oidcAuthorizeUrl: `${PROD_OIDC.oidcIssuer}/protocol/openid-connect/auth`,
      oidcTokenUrl: `${PROD_OIDC.oidcIssuer}/protocol/openid-connect/token`,
    },
  });
  stages.prodNoDomain = synthStage('prod', { nag: true });
});
afterAll(() => {
  for (const s of Object.values(stages)) s.cleanup();
});

const web = (s: Synthesised): Template => s.web$ as Template;
const content = (s: Synthesised): Template => s.webContent$ as Template;
const only = (t: Template, type: string) => {
  const found = Object.entries(resourcesOf(t, type));
  expect(found, type).toHaveLength(1);
  return found[0] as [string, { Properties: Record<string, unknown> }];
};

/** The deployed `config.json`: the staged asset's file with its deploy-time markers resolved to CloudFormation values. */
function deployedConfig(s: Synthesised): { apiUrl: unknown; auth: Record<string, unknown> } {
  const [, cr] = only(content(s), 'Custom::CDKBucketDeployment');
  const keys = cr.Properties.SourceObjectKeys as string[];
  const markers = (cr.Properties.SourceMarkers ?? []) as Array<Record<string, unknown>>;
  const configs = keys
    .map((key, i) => ({ file: path.join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'config.json'), i }))
    .filter(({ file }) => existsSync(file));
  expect(configs, 'exactly one source carries config.json').toHaveLength(1);
  const { file, i } = configs[0] as { file: string; i: number };
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const parts = value.split(/(<<marker:0x[a-f0-9]+:\d+>>)/).filter((p) => p !== '');
      const mapped = parts.map((p) => markers[i]?.[p] ?? p);
      return mapped.length === 1 ? mapped[0] : { join: mapped };
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  return resolve(JSON.parse(readFileSync(file, 'utf8'))) as {
    apiUrl: unknown;
    auth: Record<string, unknown>;
  };
}

describe.each(['dev', 'prod'] as const)('the console site (%s)', (stage) => {
  const s = (): Synthesised => stages[stage];

  it('keeps the site bucket private, encrypted, versioned and access-logged', () => {
    const buckets = Object.entries(resourcesOf(web(s()), 'AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(bucket.Properties.VersioningConfiguration, id).toEqual({ Status: 'Enabled' });
      // TLS only (and TLS ≥ 1.2) on both buckets.
      web(s()).hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
    const site = buckets.find(([, b]) => b.Properties.LoggingConfiguration);
    const logs = buckets.find(([, b]) => !b.Properties.LoggingConfiguration);
    expect(site?.[1].Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    expect(site?.[1].Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logs?.[0] },
      LogFilePrefix: 's3-site/',
    });
  });

  it('serves over HTTPS only (HTTP redirects), index.html at the root, GET/HEAD only, logged', () => {
    const [, dist] = only(web(s()), 'AWS::CloudFront::Distribution');
    const config = dist.Properties.DistributionConfig as Record<string, Record<string, unknown>>;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior?.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior?.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.DefaultCacheBehavior?.ResponseHeadersPolicyId).toEqual({
      Ref: expect.stringMatching(/^ConsoleSecurityHeaders/),
    });
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleAccessLogs/), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
  });

  it('lets only CloudFront read the bucket: OAC where offered, an origin access identity in China', () => {
    const [, dist] = only(web(s()), 'AWS::CloudFront::Distribution');
    const origins = (dist.Properties.DistributionConfig as { Origins: Array<Record<string, unknown>> })
      .Origins;
    expect(origins).toHaveLength(1);
    const policy = JSON.stringify(resourcesOf(web(s()), 'AWS::S3::BucketPolicy'));
    if (stage === 'dev') {
      expect(origins[0]?.OriginAccessControlId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/S3OriginAccessControl/), 'Id'],
      });
      expect(origins[0]?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
      only(web(s()), 'AWS::CloudFront::OriginAccessControl');
      expect(policy).toContain('"Service":"cloudfront.amazonaws.com"');
      expect(policy).toContain('"AWS:SourceArn"');
    } else {
      web(s()).resourceCountIs('AWS::CloudFront::OriginAccessControl', 0);
      only(web(s()), 'AWS::CloudFront::CloudFrontOriginAccessIdentity');
      expect(JSON.stringify(origins[0]?.S3OriginConfig)).toContain('origin-access-identity/cloudfront/');
      expect(policy).toContain('CanonicalUser');
    }
    expect(policy).not.toContain('"Principal":"*","Action":"s3:GetObject"');
  });

  it('adds the security headers: HSTS, nosniff, frame deny, a CSP naming the API and evidence endpoints', () => {
    const [, policy] = only(web(s()), 'AWS::CloudFront::ResponseHeadersPolicy');
    const headers = (policy.Properties.ResponseHeadersPolicyConfig as Record<string, Record<string, unknown>>)
      .SecurityHeadersConfig as Record<string, Record<string, unknown>>;
    expect(headers.StrictTransportSecurity).toEqual({
      AccessControlMaxAgeSec: 31_536_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    const csp = JSON.stringify(headers.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src 'self' https://*.execute-api.${s().config.region}.`);
    // The sign-in code is redeemed from the page: the token endpoint's origin is allowed, nothing wider.
    expect(csp).toContain(
      stage === 'dev'
        ? `https://*.auth.${s().config.region}.amazoncognito.com`
        : new URL(PROD_OIDC.oidcIssuer).origin,
    );
    expect(csp).toContain(`https://*.s3.${s().config.region}.`);
    expect(csp).toContain('{"Ref":"AWS::URLSuffix"}');
  });

  it('deploys the build and a config.json with the API URL and the stage’s sign-in, then invalidates', () => {
    const [, cr] = only(content(s()), 'Custom::CDKBucketDeployment');
    expect(cr.Properties.DistributionPaths).toEqual(['/*']);
    expect(JSON.stringify(cr.Properties.DistributionId)).toContain('ExportsOutputRefConsoleDistribution');
    expect(JSON.stringify(cr.Properties.DestinationBucketName)).toContain('ExportsOutputRefConsoleSite');
    expect(cr.Properties.Prune).toBe(true);
    const deployed = deployedConfig(s());
    // The API's URL is the stateless stack's HTTP API endpoint, resolved at deploy time.
    expect(JSON.stringify(deployed.apiUrl)).toMatch(
      /"Fn::ImportValue":"ZsAi-\w+-Stateless:ExportsOutputFnGetAttApi\w+ApiEndpoint/,
    );
    if (stage === 'dev') {
      expect(deployed.auth.mode).toBe('cognito');
      const authorize = JSON.stringify(deployed.auth.authorizeUrl);
      expect(authorize).toContain('.auth.ap-southeast-1.amazoncognito.com/oauth2/authorize');
      expect(authorize).toContain('ExportsOutputRefUsersHostedUi');
      const token = JSON.stringify(deployed.auth.tokenUrl);
      expect(token).toContain('.auth.ap-southeast-1.amazoncognito.com/oauth2/token');
      expect(token).toContain('ExportsOutputRefUsersHostedUi');
      expect(JSON.stringify(deployed.auth.clientId)).toContain('ExportsOutputRefUsersConsoleHostedUi');
    } else {
      expect(deployed.auth).toEqual({
        mode: 'oidc',
        authorizeUrl: `${PROD_OIDC.oidcIssuer}/protocol/openid-connect/auth`,
        tokenUrl: `${PROD_OIDC.oidcIssuer}/protocol/openid-connect/token`,
        clientId: PROD_OIDC.oidcAudience,
      });
    }
  });

  it('deploys the build without its local config.json and source maps', () => {
    const [, cr] = only(content(s()), 'Custom::CDKBucketDeployment');
    const keys = cr.Properties.SourceObjectKeys as string[];
    const site = keys
      .map((key) => path.join(s().outdir, `asset.${key.replace(/\.zip$/, '')}`))
      .find((dir) => existsSync(path.join(dir, 'index.html')));
    expect(site, 'the build is one of the sources').toBeDefined();
    expect(existsSync(path.join(site as string, 'config.json'))).toBe(false);
  });

  it('gives the deployment handler exact resources and no action wildcard', () => {
    const policies = Object.values(resourcesOf(content(s()), 'AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    const document = policies[0]?.Properties.PolicyDocument as
      | { Statement: Array<Record<string, unknown>> }
      | undefined;
    const statements = document?.Statement ?? [];
    const actions = statements.flatMap((st) => [st.Action].flat() as string[]);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(actions).toEqual(
      expect.arrayContaining([
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        'cloudfront:CreateInvalidation',
      ]),
    );
    for (const st of statements) expect(st.Resource, String(st.Sid)).not.toEqual('*');
    const invalidation = statements.find((st) => st.Sid === 'InvalidateConsoleDistribution');
    expect(JSON.stringify(invalidation?.Resource)).toContain(':distribution/');
    // Only the role this construct writes: no managed policy, nothing CDK would add by itself.
    const [, role] = only(content(s()), 'AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the console origin call the API and upload evidence (CORS)', () => {
    const api = Object.values(resourcesOf(s().stateless$, 'AWS::ApiGatewayV2::Api'))[0];
    const apiOrigins = (api?.Properties.CorsConfiguration as { AllowOrigins: unknown[] } | undefined)
      ?.AllowOrigins;
    const evidence = Object.values(resourcesOf(s().stateful$, 'AWS::S3::Bucket')).find(
      (b) => b.Properties.CorsConfiguration,
    );
    const evidenceOrigins = (
      evidence?.Properties.CorsConfiguration as
        | { CorsRules: Array<{ AllowedOrigins: unknown[] }> }
        | undefined
    )?.CorsRules[0]?.AllowedOrigins;
    if (stage === 'dev') {
      const distribution = {
        'Fn::Join': ['', ['https://', { 'Fn::ImportValue': expect.stringMatching(/DomainName/) }]],
      };
      expect(apiOrigins).toEqual([...s().config.allowedOrigins, distribution]);
      expect(evidenceOrigins).toEqual([...s().config.allowedOrigins, distribution]);
    } else {
      // The China console domain is the configured origin already: listed once.
      expect(apiOrigins).toEqual([`https://${PROD_CONSOLE.consoleDomain}`]);
      expect(evidenceOrigins).toEqual([`https://${PROD_CONSOLE.consoleDomain}`]);
    }
  });

  it('keeps the deployment handler observable: encrypted log group with retention, an error alarm', () => {
    const [, group] = only(content(s()), 'AWS::Logs::LogGroup');
    expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
    expect(group.Properties.KmsKeyId).toBeDefined();
    const [fnId] = only(content(s()), 'AWS::Lambda::Function');
    const [, alarm] = only(content(s()), 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties.MetricName).toBe('Errors');
    expect(alarm.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: fnId } }]);
    expect((alarm.Properties.AlarmActions as unknown[]).length).toBe(1);
  });
});

describe('the dev stage’s hosted sign-in (Cognito)', () => {
  it('adds a hosted-UI domain and a code-grant (PKCE) public client that returns only to the console', () => {
    const dev = stages.dev;
    only(dev.stateful$, 'AWS::Cognito::UserPoolDomain');
    dev.stateful$.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'zs-ai-dev-console-hosted-ui',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [
        { 'Fn::Join': ['', ['https://', Match.anyValue(), '/']] },
        { 'Fn::Join': ['', ['https://', Match.anyValue(), '/index.html']] },
      ],
    });
  });

  it('makes the API’s JWT authorizer accept the hosted-UI client’s tokens', () => {
    const authorizer = Object.values(resourcesOf(stages.dev.stateless$, 'AWS::ApiGatewayV2::Authorizer'))[0];
    const audience = JSON.stringify(
      (authorizer?.Properties.JwtConfiguration as { Audience: unknown[] } | undefined)?.Audience,
    );
    expect(audience).toContain('ExportsOutputRefUsersConsoleHostedUi');
    expect(audience).toContain('ExportsOutputRefUsersConsoles');
  });
});

describe('the China stage’s console domain', () => {
  it('serves the ICP-filed domain with its IAM server certificate, TLS 1.2 (2021) and SNI', () => {
    const [, dist] = only(web(stages.prod), 'AWS::CloudFront::Distribution');
    const config = dist.Properties.DistributionConfig as Record<string, unknown>;
    expect(config.Aliases).toEqual([PROD_CONSOLE.consoleDomain]);
    expect(config.ViewerCertificate).toEqual({
      IamCertificateId: PROD_CONSOLE.consoleCertificateId,
      SslSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
  });

  it('names no commercial-partition ARN or endpoint in the China console stacks', () => {
    for (const t of [web(stages.prod), content(stages.prod)]) {
      const strings = stringsWithPaths(t.toJSON()).map((x) => x.value);
      expect(strings.filter((v) => v.includes('arn:aws:'))).toEqual([]);
      expect(
        strings.filter((v) => v.includes('amazonaws.com') && !/^[a-z0-9.-]+\.amazonaws\.com$/.test(v)),
      ).toEqual([]);
    }
  });

  it('without a domain skips the consoles and says so in a synth warning', () => {
    const s = stages.prodNoDomain;
    expect(s.web).toBeUndefined();
    expect(s.webContent).toBeUndefined();
    expect(s.app.node.children.map((c) => c.node.id)).not.toContain('ZsAi-prod-Web');
    Annotations.fromStack(s.stateless).hasWarning(
      '*',
      Match.stringLikeRegexp('web consoles are not deployed.*-c consoleDomain=.*-c consoleCertificateId='),
    );
  });

  it('refuses a domain without its certificate, naming both options', () => {
    const ctx = (values: Record<string, string>) => (key: string) => values[key];
    expect(() =>
      loadStageConfig(ctx({ stage: 'prod', ...PROD_OIDC, consoleDomain: PROD_CONSOLE.consoleDomain })),
    ).toThrow(/-c consoleDomain=.*-c consoleCertificateId=/);
    expect(() =>
      loadStageConfig(ctx({ stage: 'prod', ...PROD_OIDC, consoleDomain: PROD_CONSOLE.consoleDomain })),
    ).toThrow(StageConfigError);
  });
});

describe('cdk-nag on the console stacks', () => {
  type Violation = { ruleName: string; violatingResources: Array<{ constructPath?: string }> };
  const findings = (s: Synthesised, acknowledged: boolean): string[] =>
    [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) => {
      // Test-only: see every finding, acknowledged or not (the pack's check is private).
      if (!acknowledged) Object.assign(pack, { isAcknowledged: () => false });
      return (pack.validateScope(s.app).violations as Violation[]).flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath ?? ''}`),
      );
    });
  const consoleAcks = (root: IConstruct) =>
    root.node
      .findAll()
      .filter((c) => /\/Console\/|CDKBucketDeployment/.test(`${c.node.path}/`))
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
              path: c.node.path,
              id: id.replace(/^annotation::/i, ''),
              reason,
            })),
          ),
      );

  it.each(['dev', 'prod'] as const)(
    '%s: AwsSolutions and Serverless report nothing unacknowledged',
    (stage) => {
      expect(findings(stages[stage], true)).toEqual([]);
    },
  );

  it.each(['dev', 'prod'] as const)(
    '%s: every console acknowledgment matches a raised finding and has a real reason',
    (stage) => {
      const raised = findings(stages[stage], false);
      const acks = consoleAcks(stages[stage].app);
      expect(acks.length).toBeGreaterThan(3);
      for (const ack of acks) {
        expect(
          raised.some((f) => f.startsWith(`${ack.id} @ ${ack.path}/`) || f === `${ack.id} @ ${ack.path}`),
          `${ack.id} @ ${ack.path} is stale`,
        ).toBe(true);
        expect(ack.reason.length, ack.id).toBeGreaterThanOrEqual(40);
        expect(ack.id).not.toMatch(/\[Action::[^\]]*\*\]/);
      }
    },
  );
});

describe('the build the CDK app needs', () => {
  it('exists (npm run build:web ran)', () => {
    expect(existsSync(path.join(WEB_DIST, 'index.html'))).toBe(true);
  });

  it('fails the synth with a message naming npm run build:web when it is missing', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'zs-ai-no-web-'));
    try {
      expect(() => requireWebBuild(empty)).toThrow(MissingWebBuildError);
      expect(() => requireWebBuild(empty)).toThrow(/npm run build:web/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
