import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { GLOBAL_INDEXES } from '../../functions/adapters/table-schema.ts';
import type { StageConfig } from '../config.ts';
import { INCOMING_PREFIX } from '../stacks/stateful.ts';
import { workflowArnEnv } from '../workflows/types.ts';
import { LAMBDA_BUNDLE } from './bundle-options.ts';
import { acknowledgeResourceWildcard } from './nag.ts';

/** The repository root: handler entries (`functions/...`) are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const APP_VERSION: string = (() => {
  const pkg: unknown = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string'
    ? pkg.version
    : '0.0.0';
})();

/** CloudWatch namespace of the business metrics the handlers emit through Powertools. */
export const METRICS_NAMESPACE = 'ZsAiPlatform';

/** The stateful resources every function may be bound to. */
export interface AppData {
  readonly table: dynamodb.ITableV2;
  readonly evidenceBucket: s3.IBucket;
  /** Customer-managed key of the table and the bucket. */
  readonly dataKey: kms.IKey;
}

export interface AppFunctionProps {
  readonly config: StageConfig;
  readonly data: AppData;
  /** Handler module relative to the repository root, e.g. `functions/api/organisations.ts` (export `handler`). */
  readonly entry: string;
  /** Short name: `<prefix>-<name>` is the function name; also the Powertools service name. */
  readonly name: string;
  readonly description: string;
  /** Always explicit: API functions stay well under API Gateway's 30 s integration timeout. */
  readonly timeout: Duration;
  readonly memorySize?: number;
  /**
   * `sync`: invoked only synchronously (API Gateway, Step Functions), so no dead-letter queue.
   * `async`: invoked asynchronously (EventBridge Scheduler), failures go to `deadLetterQueue`.
   */
  readonly invocation:
    | { readonly kind: 'sync' }
    | { readonly kind: 'async'; readonly deadLetterQueue: sqs.IQueue }
    /** Invoked by an event source mapping (a DynamoDB stream); failed batches go to its on-failure destination. */
    | { readonly kind: 'stream'; readonly onFailure: sqs.IQueue };
  /** Key that encrypts the function's log group. */
  readonly logKey: kms.IKey;
  /** Where the function's alarms notify. */
  readonly alarmTopic: sns.ITopic;
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * Table access: `read` (no Scan: every read path uses a key or an index); `readAudit`: read, and append
 * audit events only (new items under `AUDIT#…`, e.g. an observer's audited access, Art. 11) — no other
 * write; or `readWrite`.
 */
export type TableAccess = 'read' | 'readAudit' | 'readWrite';

/** Partition-key prefix of audit events (`auditKey` in functions/adapters/registry.ts). */
export const AUDIT_KEY_PREFIX = 'AUDIT#';
export type EvidenceAccess = 'read' | 'readWrite';
/** `start`: start executions; `callback`: complete waiting human tasks (task tokens). */
export type WorkflowAccess = 'start' | 'callback';

const TABLE_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
const TABLE_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/**
 * One Lambda function with the project's defaults: Node.js 24 on ARM64, 512 MB, an explicit timeout,
 * an esbuild ESM bundle that carries its own AWS SDK (versions pinned by the lockfile), source maps,
 * X-Ray where the partition offers it, a dedicated encrypted log group with retention, the typed
 * environment of `functions/shared/env.ts`, and alarms on errors and throttles.
 * Permissions are granted only through the bind helpers, each least privilege.
 */
export class AppFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly throttlesAlarm: cloudwatch.Alarm;
  private readonly data: AppData;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    const { config, data } = props;
    this.data = data;
    const functionName = `${config.prefix}-${props.name}`;
    const entry = path.join(REPO_ROOT, props.entry);
    if (!existsSync(entry)) {
      throw new Error(`AppFunction ${props.name}: handler entry ${props.entry} does not exist`);
    }

    // Retained with the stack's default, under a generated name: a redeployed stack never collides with kept logs.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: config.logRetention,
      encryptionKey: props.logKey,
    });

    // Own role instead of AWSLambdaBasicExecutionRole: logs go to this function's log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${functionName}`,
    });
    this.logGroup.grantWrite(role);

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      role,
      description: props.description,
      entry,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: config.tracing.lambda ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.invocation.kind === 'async' ? { deadLetterQueue: props.invocation.deadLetterQueue } : {}),
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        platform: LAMBDA_BUNDLE.platform,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: LAMBDA_BUNDLE.sourceMap,
        sourceMapMode: nodejs.SourceMapMode.DEFAULT,
        sourcesContent: LAMBDA_BUNDLE.sourcesContent,
        // Bundle the SDK too: the versions the tests ran against are the versions that run.
        bundleAwsSDK: true,
        externalModules: [],
        banner: LAMBDA_BUNDLE.banner,
      },
      environment: {
        STAGE: config.stage,
        TABLE_NAME: data.table.tableName,
        EVIDENCE_BUCKET: data.evidenceBucket.bucketName,
        POLICY_END_DATE: config.policyEndDate,
        VERIFICATION_DUE_DAYS: String(config.verificationDueDays),
        EVIDENCE_MALWARE_SCAN: String(config.malwareProtection),
        APP_VERSION,
        POWERTOOLS_SERVICE_NAME: functionName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });

    if (props.invocation.kind === 'sync') {
      Validations.of(this.fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked only synchronously (API Gateway or Step Functions): the caller receives and handles every failure, so a dead-letter queue would never receive anything.',
      });
    } else if (props.invocation.kind === 'stream') {
      Validations.of(this.fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: `Invoked only by a DynamoDB stream event source mapping, whose on-failure destination (${props.invocation.onFailure.node.id}) receives the records of batches that still fail after the retries; a function DLQ applies to asynchronous invocations only.`,
      });
    }
    if (config.tracing.lambda) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      });
    } else {
      Validations.of(this.fn).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason: `X-Ray integration with Lambda is not offered in ${config.region} (partition ${config.partition}).`,
      });
    }

    const alarmAction = new cwActions.SnsAction(props.alarmTopic);
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmName: `${functionName}-errors`,
      alarmDescription: `${functionName} reported errors (unhandled exceptions or timeouts)`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.throttlesAlarm = new cloudwatch.Alarm(this, 'ThrottlesAlarm', {
      alarmName: `${functionName}-throttles`,
      alarmDescription: `${functionName} was throttled (concurrency limit reached)`,
      metric: this.fn.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.errorsAlarm, this.throttlesAlarm]) {
      alarm.addAlarmAction(alarmAction);
      alarm.addOkAction(alarmAction);
    }
  }

  /** The registry table and its indexes; never Scan (DESIGN.md: no Scan in any request or job path). */
  bindTable(access: TableAccess): this {
    const { table, dataKey } = this.data;
    const actions =
      access === 'readWrite' ? [...TABLE_READ, ...TABLE_WRITE] : [...TABLE_READ, 'dynamodb:DescribeTable'];
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions,
        // The indexes by name (no `index/*` wildcard): a new index in table-schema.ts is granted here too.
        resources: [
          table.tableArn,
          ...GLOBAL_INDEXES.map((index) => `${table.tableArn}/index/${index.name}`),
        ],
      }),
    );
    if (access === 'readAudit') {
      // Puts (also inside TransactWriteItems, which IAM checks per action) of items whose partition key
      // is an audit event's: nothing else can be created, changed or deleted.
      this.fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:PutItem'],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${AUDIT_KEY_PREFIX}*`] } },
        }),
      );
    }
    this.grantKey(
      dataKey,
      access === 'read'
        ? ['kms:Decrypt', 'kms:DescribeKey']
        : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      'dynamodb',
    );
    return this;
  }

  /**
   * The registry table's stream (new images), as an event source mapping reads it: the shard actions
   * on the stream only, and the data key to decrypt records, only through DynamoDB.
   */
  bindTableStream(): this {
    const { table, dataKey } = this.data;
    if (!table.tableStreamArn) throw new Error(`${this.node.path}: the registry table has no stream`);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [table.tableStreamArn],
      }),
    );
    // The event source mapping's own grant adds dynamodb:ListStreams on `*` (it has no resource-level
    // permissions); cdk-nag does not raise it.
    this.grantKey(dataKey, ['kms:Decrypt', 'kms:DescribeKey'], 'dynamodb');
    return this;
  }

  /**
   * Evidence objects. `read`: download (presigned GET) and verify (size, SHA-256, signature);
   * `readWrite`: also sign uploads (presigned POST) and delete unconfirmed uploads under `incoming/`.
   */
  bindEvidence(access: EvidenceAccess): this {
    const { evidenceBucket, dataKey } = this.data;
    const objectActions =
      access === 'read'
        ? ['s3:GetObject', 's3:GetObjectVersion']
        : ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'];
    // ListBucket lets a HEAD of a missing object answer 404 instead of 403 ("not uploaded yet").
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [evidenceBucket.bucketArn] }),
    );
    const objects = evidenceBucket.arnForObjects('*');
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions: objectActions, resources: [objects] }));
    acknowledgeResourceWildcard(
      this,
      objects,
      'Evidence object keys are generated per application and upload; only object actions, on this one bucket.',
    );
    if (access === 'readWrite') {
      const incoming = evidenceBucket.arnForObjects(`${INCOMING_PREFIX}*`);
      this.fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [incoming] }),
      );
      acknowledgeResourceWildcard(
        this,
        incoming,
        'Deletes are limited to unconfirmed uploads under incoming/ (removed once the server has verified them).',
      );
    }
    this.grantKey(
      dataKey,
      access === 'read' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:GenerateDataKey'],
      's3',
    );
    return this;
  }

  /**
   * A workflow's state machine: `start` executions (named after the business id, so a retried start
   * cannot fork a second one), or `callback` to complete waiting human tasks (task tokens).
   * Sets `WORKFLOW_<NAME>_ARN` for the handler.
   */
  bindWorkflow(stateMachine: sfn.IStateMachine, workflowName: string, access: WorkflowAccess): this {
    if (access === 'start') {
      // A retried start with the same (business id) name fails with ExecutionAlreadyExists: no Describe needed.
      stateMachine.grantStartExecution(this.fn);
    } else {
      stateMachine.grantTaskResponse(this.fn);
    }
    this.fn.addEnvironment(workflowArnEnv(workflowName), stateMachine.stateMachineArn);
    return this;
  }

  private grantKey(key: kms.IKey, actions: string[], viaService: 'dynamodb' | 's3'): void {
    const stack = Stack.of(this);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions,
        resources: [key.keyArn],
        // The data key serves the table and the bucket: each binding may use it only through its service.
        conditions: {
          StringEquals: { 'kms:ViaService': `${viaService}.${stack.region}.${stack.urlSuffix}` },
        },
      }),
    );
  }
}
