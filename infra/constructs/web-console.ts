import { existsSync } from 'node:fs';
import path from 'node:path';
import { Annotations, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { StageConfigError } from '../config.ts';
import { acknowledgeResourceWildcard } from './nag.ts';
import { PRIVATE_BUCKET } from './private-bucket.ts';

/** The consoles' build (`npm run build:web`), deployed as is: one build for every place. */
export const WEB_DIST = path.resolve(import.meta.dirname, '../../web/dist');

/** `web/dist` is missing: `cdk synth` cannot package the consoles. Caught by infra/app.ts like a stage error. */
export class MissingWebBuildError extends StageConfigError {
  override name = 'MissingWebBuildError';
}

/** Fails the synth with the command that fixes it when the consoles have not been built. */
export function requireWebBuild(dir = WEB_DIST): string {
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new MissingWebBuildError(
      `The web consoles are not built (${path.relative(process.cwd(), dir) || dir}/index.html is missing): ` +
        'run `npm run build:web` before `cdk synth` / `cdk deploy`.',
    );
  }
  return dir;
}

/**
 * How the consoles sign people in, written to `config.json` (web/src/config.ts): the Cognito hosted
 * UI (`dev`) or the external OIDC issuer (China `prod`); the authorization code flow with PKCE (the
 * console is a public client: no secret), and the HTTP API's JWT authorizer accepts the ID token's audience.
 */
export interface ConsoleAuth {
  readonly mode: 'cognito' | 'oidc';
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly logoutUrl?: string;
}

export interface ConsoleSiteProps {
  readonly prefix: string;
  /**
   * How CloudFront reads the private bucket: Origin Access Control where the partition offers it; the
   * China regions do not (CloudFormation has no `AWS::CloudFront::OriginAccessControl` there), so
   * they use an origin access identity, the older way to the same end (only CloudFront reads the bucket).
   */
  readonly originAccess: 'oac' | 'oai';
  /** Alternate domain name and its IAM server certificate id (required in China, optional elsewhere). */
  readonly domain?: { readonly name: string; readonly iamCertificateId: string };
  /** Days CloudFront and S3 access logs are kept. */
  readonly accessLogDays: number;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Where the console redeems its sign-in code (the token endpoint's origin, for `connect-src`): the
   * region's Cognito hosted-UI domains, or the external OIDC issuer's origin.
   */
  readonly signInOrigin: string;
}

/**
 * The consoles' static site: a private bucket (no public access, SSE-S3, TLS-only, versioned, access
 * logged) read by CloudFront through Origin Access Control only; HTTPS only (HTTP redirects), security
 * headers on every answer, access logs in a dedicated log bucket.
 *
 * It lives in its own stack, deployed first: its origin must be known to the evidence bucket's CORS
 * (browser uploads) and the Cognito callback URLs in the stateful stack and to the API's CORS in the
 * stateless stack. For the same reason the Content-Security-Policy cannot name the API's exact origin
 * (the API is created later, and its CORS names this distribution): `connect-src` allows the API
 * Gateway and S3 endpoints of the stage's region only.
 */
export class ConsoleSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** `https://<domain>`: what browsers send as `Origin` (API and evidence CORS, OAuth callbacks). */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // CloudFront standard logs are written with an ACL grant (awslogsdelivery): this bucket keeps ACLs
    // (owner-preferred, never public) and SSE-S3, the only encryption CloudFront log delivery supports.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET,
      // CloudFront standard logs need ACLs: owner-preferred (still never public).
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(props.accessLogDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy,
    });

    this.bucket = new s3.Bucket(this, 'Site', {
      ...PRIVATE_BUCKET,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3-site/',
      lifecycleRules: [
        // Each deployment replaces the build; earlier builds stay restorable for a month.
        { id: 'expire-previous-builds', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
    });

    const endpoints = (service: string) => `https://*.${service}.${stack.region}.${stack.urlSuffix}`;
    const s3Endpoints = `${endpoints('s3')} https://s3.${stack.region}.${stack.urlSuffix}`;
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `${props.prefix}-console-security-headers`,
      comment: 'Consoles: HSTS, nosniff, frame deny, CSP (API and evidence endpoints of the region only)',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            `img-src 'self' data: blob: ${s3Endpoints}`,
            "font-src 'self'",
            // The HTTP API (execute-api) and the evidence bucket (presigned POST uploads, GET downloads).
            // …and the sign-in's token endpoint (the authorization code is redeemed from the page, PKCE).
            `connect-src 'self' ${endpoints('execute-api')} ${s3Endpoints} ${props.signInOrigin}`,
            `frame-src blob: ${s3Endpoints}`,
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            'upgrade-insecure-requests',
          ].join('; '),
          override: true,
        },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.prefix} web consoles`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin:
          props.originAccess === 'oac'
            ? origins.S3BucketOrigin.withOriginAccessControl(this.bucket)
            : origins.S3BucketOrigin.withOriginAccessIdentity(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    if (props.domain) {
      // CloudFront in China accepts IAM server certificates only (no ACM), which the L2 cannot express.
      const cfn = this.distribution.node.defaultChild as cloudfront.CfnDistribution;
      cfn.addPropertyOverride('DistributionConfig.Aliases', [props.domain.name]);
      cfn.addPropertyOverride('DistributionConfig.ViewerCertificate', {
        IamCertificateId: props.domain.iamCertificateId,
        SslSupportMethod: 'sni-only',
        MinimumProtocolVersion: 'TLSv1.2_2021',
      });
      this.origin = `https://${props.domain.name}`;
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'The viewer certificate is set by a property override (IAM server certificate, sni-only, TLSv1.2_2021), which cdk-nag does not see; the L2 accepts ACM certificates only.',
      });
    } else {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain the distribution serves *.cloudfront.net with the default certificate, whose TLS policy CloudFront fixes; pass -c consoleDomain/-c consoleCertificateId for TLSv1.2_2021.',
      });
      this.origin = `https://${this.distribution.distributionDomainName}`;
    }
    if (props.originAccess === 'oai') {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR7',
        reason:
          'Origin Access Control is not offered in the China regions (no AWS::CloudFront::OriginAccessControl there); an origin access identity keeps the bucket readable by CloudFront only.',
      });
    }
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The consoles serve companies and experts in Zhongshan who may travel; access is governed by sign-in and the API authorizer, not by geography.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves a static, read-only build (GET/HEAD only); every data change goes through the throttled, JWT-authorised HTTP API.',
    });
  }
}

export interface ConsoleDeploymentProps {
  readonly site: ConsoleSite;
  /** The deployed HTTP API's base URL (a token), written to `config.json`. */
  readonly apiUrl: string;
  readonly auth: ConsoleAuth;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly alarmAction: cloudwatch.IAlarmAction;
  readonly prefix: string;
  /** The build to deploy (default `web/dist`). */
  readonly webDist?: string;
}

/**
 * Copies the build (`web/dist`, without its local `config.json` and source maps) and a generated
 * `config.json` (API URL, sign-in settings) into the site bucket, then invalidates the distribution.
 *
 * The handler's role is written out here and closed to the grants `BucketDeployment` would add
 * (`s3:GetObject*`, `s3:List*`, `cloudfront:*Invalidation` on `*`): it reads the two source archives,
 * writes the site bucket and invalidates this distribution only.
 */
export class ConsoleDeployment extends Construct {
  readonly deployment: s3deploy.BucketDeployment;
  readonly handler: lambda.IFunction;
  /** What `config.json` holds (tokens resolve at deploy time). */
  readonly config: { readonly apiUrl: string; readonly auth: ConsoleAuth };

  constructor(scope: Construct, id: string, props: ConsoleDeploymentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { site } = props;
    const webDist = requireWebBuild(props.webDist);
    this.config = { apiUrl: props.apiUrl, auth: props.auth };

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
    });
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Console deployment: reads the build archives, writes the site bucket, invalidates the CDN',
    });
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: site.bucket,
      sources: [
        s3deploy.Source.asset(webDist, { exclude: ['config.json', '**/*.map'] }),
        s3deploy.Source.jsonData('config.json', this.config),
      ],
      distribution: site.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 512,
      logGroup,
      role: role.withoutPolicyUpdates(),
    });
    const handler = this.deployment.node.findChild('CustomResourceHandler') as lambda.SingletonFunction;
    this.handler = handler;

    const sources = this.deployment.node.children.filter(
      (c): c is s3assets.Asset => c instanceof s3assets.Asset,
    );
    const distributionArn = stack.formatArn({
      service: 'cloudfront',
      region: '',
      resource: 'distribution',
      resourceName: site.distribution.distributionId,
    });
    const policy = new iam.Policy(this, 'HandlerPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadBuildArchives',
          actions: ['s3:GetObject'],
          resources: sources.map((a) => a.bucket.arnForObjects(a.s3ObjectKey)),
        }),
        new iam.PolicyStatement({
          sid: 'ListSite',
          actions: ['s3:ListBucket'],
          resources: [site.bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'WriteSite',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          resources: [site.bucket.arnForObjects('*')],
        }),
        new iam.PolicyStatement({
          sid: 'InvalidateConsoleDistribution',
          actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
          resources: [distributionArn],
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    policy.attachToRole(role);
    this.deployment.node.addDependency(policy);
    acknowledgeResourceWildcard(
      policy,
      site.bucket.arnForObjects('*'),
      'A deployment replaces every file of the static build in the site bucket (and prunes files of earlier builds); it touches no other bucket.',
    );

    // The singleton handler function sits at the stack's root; acknowledge on its resource.
    const fn = handler.permissionsNode.defaultChild ?? handler;
    for (const [rule, reason] of [
      [
        'Serverless-LambdaDLQ',
        'CloudFormation invokes this custom-resource handler synchronously and records its failure on the stack; there is no asynchronous event to dead-letter.',
      ],
      [
        'Serverless-LambdaTracing',
        'A deploy-time custom-resource handler (aws s3 sync of a static build) has no request path worth tracing; its outcome is on the CloudFormation stack.',
      ],
      [
        'Serverless-LambdaLatestVersion',
        'CloudFormation calls this custom-resource handler by its function ARN at each deployment; no alias or version is published for it.',
      ],
      [
        'AwsSolutions-L1',
        'The runtime of the BucketDeployment handler is pinned by aws-cdk-lib (with its AWS CLI layer) and moves with CDK upgrades.',
      ],
    ] as const) {
      Validations.of(fn).acknowledge({ id: rule, reason });
    }

    new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmName: `${props.prefix}-console-deployment-errors`,
      alarmDescription:
        'The console deployment handler failed (the stack update rolls back; see its log group)',
      metric: handler.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(props.alarmAction);
  }
}

/** Adds the synth warning of a stage that does not deploy the consoles (China without domain). */
export function warnConsoleSkipped(scope: Construct, reason: string): void {
  Annotations.of(scope).addWarningV2('zs-ai:console-skipped', reason);
}

/** Origins without duplicates (CloudFormation rejects repeated CORS origins). */
export const distinctOrigins = (...origins: ReadonlyArray<string | undefined>): string[] => [
  ...new Set(origins.filter((o): o is string => o !== undefined)),
];
