import { Stack, type StackProps } from 'aws-cdk-lib';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { type ConsoleAuth, ConsoleDeployment, ConsoleSite } from '../constructs/web-console.ts';

export interface WebStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * The web consoles' site (bucket, distribution, security headers, access logs). Deployed before the
 * stateful stack, because the console's origin is part of the evidence bucket's CORS and of the
 * Cognito callback URLs there; the build itself is copied in by `WebContentStack`, deployed last,
 * which knows the API's URL for `config.json`.
 */
export class WebStack extends Stack {
  readonly site: ConsoleSite;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.site = new ConsoleSite(this, 'Console', {
      prefix: config.prefix,
      originAccess: config.partition === 'aws-cn' ? 'oai' : 'oac',
      accessLogDays: config.evidence.accessLogDays,
      removalPolicy: config.statefulRemovalPolicy,
      signInOrigin: config.console.tokenUrl
        ? new URL(config.console.tokenUrl).origin
        : `https://*.auth.${config.region}.amazoncognito.com`,
      ...(config.console.domain && config.console.iamCertificateId
        ? { domain: { name: config.console.domain, iamCertificateId: config.console.iamCertificateId } }
        : {}),
    });
  }
}

export interface WebContentStackProps extends StackProps {
  readonly config: StageConfig;
  readonly site: ConsoleSite;
  /** The HTTP API's base URL (stateless stack). */
  readonly apiUrl: string;
  readonly auth: ConsoleAuth;
  /** The stateless stack's operational key and alarm topic: the deployment logs and alarms like the rest. */
  readonly logKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
}

/**
 * The consoles' content: the build and its `config.json` (API URL, sign-in), copied into the site
 * bucket at every deployment. A stack of its own, deployed last: it needs the API's URL, and its
 * deploy-time handler (CDK's BucketDeployment, Python + AWS CLI) stays apart from the application's
 * Node.js functions.
 */
export class WebContentStack extends Stack {
  readonly deployment: ConsoleDeployment;

  constructor(scope: Construct, id: string, props: WebContentStackProps) {
    super(scope, id, props);
    this.deployment = new ConsoleDeployment(this, 'Console', {
      site: props.site,
      apiUrl: props.apiUrl,
      auth: props.auth,
      logKey: props.logKey,
      logRetention: props.config.logRetention,
      alarmAction: new cwActions.SnsAction(props.alarmTopic),
      prefix: props.config.prefix,
    });
  }
}
