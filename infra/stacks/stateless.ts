import { ArnFormat, Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  ROUTE_GROUPS,
  type RouteDef,
  type RouteGroup,
  routeKey,
  routes,
} from '../../functions/api/routes.ts';
import type { StageConfig } from '../config.ts';
import {
  type AppData,
  AppFunction,
  type EvidenceAccess,
  type TableAccess,
  type WorkflowAccess,
} from '../constructs/app-function.ts';
import { acknowledgeResourceWildcard } from '../constructs/nag.ts';
import { distinctOrigins } from '../constructs/web-console.ts';
import { workflows } from '../workflows/index.ts';
import type { WorkflowDef } from '../workflows/types.ts';
import { apiFunctionEntry, JOB_FUNCTIONS, workflowFunctionEntry } from './function-entries.ts';
import type { JwtIssuer } from './stateful.ts';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  /** The stateful stack's table, evidence bucket and data key (typed references, not output lookups). */
  readonly data: AppData;
  readonly jwtIssuer: JwtIssuer;
  /** The deployed consoles' origin (web stack): the API's CORS allows it. */
  readonly consoleOrigin?: string;
}

/** What each route group's function may touch; a new group fails to compile until it is listed here. */
export interface GroupAccess {
  readonly table: TableAccess;
  readonly evidence?: EvidenceAccess;
  /** Workflow name → the access the group needs to it. */
  readonly workflows?: Readonly<Record<string, readonly WorkflowAccess[]>>;
  readonly timeout?: Duration;
}

export const GROUP_ACCESS: Readonly<Record<RouteGroup, GroupAccess>> = {
  // /health reads the table; /openapi.json reads nothing.
  system: { table: 'read' },
  // Registration starts a manual USCC verification (Art. 9(1)); the officer's decision completes it.
  organisations: { table: 'readWrite', workflows: { 'uscc-verification': ['start', 'callback'] } },
  // The work inbox lists waiting human tasks and completes them.
  tasks: { table: 'readWrite', workflows: { 'uscc-verification': ['start', 'callback'] } },
  audit: { table: 'read' },
  // Calls (Art. 7–8): create, publish, list; ranking reads applications of a call.
  calls: { table: 'readWrite' },
  // Applications and their evidence (Art. 8(1), 9): presigned uploads, confirm, audited downloads; submit starts the review.
  applications: { table: 'readWrite', evidence: 'readWrite', workflows: { review: ['start', 'callback'] } },
  // Review steps (Art. 8(2)–(3)): each officer/expert decision completes a waiting step of the review.
  review: { table: 'readWrite', workflows: { review: ['callback'] } },
  // Public notices, objections and the registry of platforms (Art. 8(4)).
  registry: { table: 'readWrite', workflows: { review: ['callback'] } },
  notifications: { table: 'readWrite' },
  // Admin settings: working-day calendar overrides, policy end date (Art. 14).
  settings: { table: 'readWrite' },
  // Platform operations (Art. 10–11): change requests, advance notifications, platform evidence, sharing consents.
  operations: { table: 'readWrite', evidence: 'readWrite' },
  // Annual evaluation (Art. 12): cycles, self-evaluation reports with evidence, grading, sign-off.
  evaluation: {
    table: 'readWrite',
    evidence: 'readWrite',
    workflows: { 'annual-evaluation': ['start', 'callback'] },
  },
  // Revocation (Art. 13): candidates, cases, the host's response (referencing platform evidence records,
  // no object access), the approver's decision; a platform revoked mid-cycle fails its waiting
  // annual-evaluation step (`PlatformRevoked`: not graded).
  revocation: { table: 'readWrite', workflows: { 'annual-evaluation': ['callback'] } },
  // Platform profile and showcase (Art. 6(1), (2), (6)): the host's service catalogue and case library,
  // public search, staff hiding with a reason. Cases reference platform evidence records (no object access).
  services: { table: 'readWrite' },
  // The compute voucher ledger (Art. 6(3)): programmes, quotas, claims, issue, redemption, settlement,
  // supervision report. Settlement evidence is referenced by platform evidence records (no object access).
  vouchers: { table: 'readWrite' },
  // CSV exports for staff and observers (Art. 11): reads, plus the audit event of each observer export.
  exports: { table: 'readAudit' },
};

/** API functions answer well inside API Gateway's 30 s integration limit. */
const API_TIMEOUT = Duration.seconds(10);
/** Workflow task functions: under the 30 s `TimeoutSeconds` of the Lambda tasks in the definitions. */
const WORKFLOW_TASK_TIMEOUT = Duration.seconds(25);
/** The deadline job runs every minute and must finish before the next run. */
const JOB_TIMEOUT = Duration.seconds(50);
/** A batch of up to 10 notifications, each with at most 3 SES attempts and short backoffs. */
const NOTIFICATION_TIMEOUT = Duration.seconds(30);
/** One scan verdict: a few registry writes and possibly one S3 delete. */
const SCAN_RESULT_TIMEOUT = Duration.seconds(20);

type AlarmFactory = (
  id: string,
  props: Pick<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'metric' | 'threshold'>,
) => cloudwatch.Alarm;

/**
 * What the optional-auth routes verify a sent bearer token against (they have no authorizer): the
 * Cognito user pool's issuer in `dev`, the external OIDC issuer in `prod`.
 */
export function jwtEnvironment(config: StageConfig, issuer: JwtIssuer): Record<string, string> {
  return {
    JWT_ISSUER: issuer.issuerUrl,
    JWT_AUDIENCE: issuer.audience.join(','),
    JWKS_URL:
      config.identity.kind === 'oidc' ? config.identity.jwksUrl : `${issuer.issuerUrl}/.well-known/jwks.json`,
  };
}

const HTTP_METHODS: Readonly<Record<RouteDef['method'], apigwv2.HttpMethod>> = {
  GET: apigwv2.HttpMethod.GET,
  POST: apigwv2.HttpMethod.POST,
  PUT: apigwv2.HttpMethod.PUT,
  PATCH: apigwv2.HttpMethod.PATCH,
  DELETE: apigwv2.HttpMethod.DELETE,
};

/**
 * Everything that can be redeployed freely: the HTTP API and its functions (one per route group),
 * the state machines with their task functions, the deadline job on a one-minute schedule, and the
 * operations side (encrypted logs with retention, alarms to an encrypted topic, a dashboard).
 */
export class StatelessStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly apiFunctions: Readonly<Record<RouteGroup, AppFunction>>;
  readonly stateMachines: ReadonlyMap<string, sfn.StateMachine>;
  readonly workflowFunctions: ReadonlyMap<string, AppFunction>;
  readonly deadlineJob: AppFunction;
  /** The outbox's e-mail processor (DynamoDB stream → SES or log). */
  readonly notificationSender: AppFunction;
  /** GuardDuty scan verdicts → evidence status; only where the stage scans evidence. */
  readonly malwareScanResult?: AppFunction;
  readonly alarmTopic: sns.Topic;
  /** Key of the operational data (log groups, alarm topic); the console deployment's log group uses it too. */
  readonly opsKey: kms.Key;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, data } = props;

    const opsKey = this.createOpsKey(config);
    this.opsKey = opsKey;
    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      topicName: `${config.prefix}-alarms`,
      displayName: `ZS AI platform ${config.stage} alarms`,
      masterKey: opsKey,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.subscribeAlarmEmail(config, config.alarmEmail);
    const alarmAction = new cwActions.SnsAction(this.alarmTopic);
    const alarm = (
      id: string,
      props: Pick<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'metric' | 'threshold'>,
    ): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, id, {
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
      return created;
    };
    const common = { config, data, logKey: opsKey, alarmTopic: this.alarmTopic } as const;

    // One state machine per shared definition, each with its task function.
    const machines = new Map<string, sfn.StateMachine>();
    const taskFunctions = new Map<string, AppFunction>();
    for (const def of workflows) {
      const { machine, taskFunction } = this.createWorkflow(def, common);
      machines.set(def.name, machine);
      taskFunctions.set(def.name, taskFunction);
      alarm(`Workflow-${def.name}-FailedAlarm`, {
        alarmName: `${config.prefix}-${def.name}-failed`,
        alarmDescription: `Executions of ${def.name} failed`,
        metric: machine.metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
      });
      alarm(`Workflow-${def.name}-TimedOutAlarm`, {
        alarmName: `${config.prefix}-${def.name}-timed-out`,
        alarmDescription: `Executions of ${def.name} timed out`,
        metric: machine.metricTimedOut({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
      });
    }
    this.stateMachines = machines;
    this.workflowFunctions = taskFunctions;
    const machineFor = (name: string): sfn.StateMachine => {
      const machine = machines.get(name);
      if (!machine)
        throw new Error(
          `Unknown workflow "${name}" in GROUP_ACCESS (known: ${[...machines.keys()].join(', ')})`,
        );
      return machine;
    };

    // One function per route group.
    const apiFunctions = {} as Record<RouteGroup, AppFunction>;
    for (const group of ROUTE_GROUPS) {
      const access = GROUP_ACCESS[group];
      const fn = new AppFunction(this, `Api-${group}`, {
        ...common,
        entry: apiFunctionEntry(group).entry,
        name: apiFunctionEntry(group).name,
        description: `HTTP API: ${routes
          .filter((r) => r.group === group)
          .map(routeKey)
          .join(', ')}`.slice(0, 256),
        timeout: access.timeout ?? API_TIMEOUT,
        invocation: { kind: 'sync' },
        // Optional-auth routes have no authorizer: the handler verifies a sent token against these.
        environment: jwtEnvironment(config, props.jwtIssuer),
      });
      fn.bindTable(access.table);
      if (access.evidence) fn.bindEvidence(access.evidence);
      for (const [name, grants] of Object.entries(access.workflows ?? {})) {
        for (const grant of grants) fn.bindWorkflow(machineFor(name), name, grant);
      }
      apiFunctions[group] = fn;
    }
    this.apiFunctions = apiFunctions;

    this.api = this.createHttpApi(config, props.jwtIssuer, opsKey, props.consoleOrigin);
    alarm('Api5xxAlarm', {
      alarmName: `${config.prefix}-api-5xx`,
      alarmDescription: 'The API answered 5xx (bad input must never produce a 5xx)',
      metric: this.api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
    });

    // The deadline job: every minute, reads the sparse due index and acts (DESIGN.md, time).
    const jobDlq = this.createQueue('DeadlineJobDlq', `${config.prefix}-deadline-job-dlq`, 'lambda');
    this.deadlineJob = new AppFunction(this, 'Job-deadlines', {
      ...common,
      entry: JOB_FUNCTIONS.deadlines.entry,
      name: JOB_FUNCTIONS.deadlines.name,
      description:
        'Deadline job: closes calls, ends notice periods, reminds and flags overdue tasks (due index)',
      timeout: JOB_TIMEOUT,
      invocation: { kind: 'async', deadLetterQueue: jobDlq },
    });
    this.deadlineJob.bindTable('readWrite');
    // Complete or release waiting steps of every machine, and repeat a deferred call of any function: a
    // start or task response that failed (throttled, unavailable) after its decision committed.
    for (const [name, machine] of machines) {
      this.deadlineJob.bindWorkflow(machine, name, 'callback');
      this.deadlineJob.bindWorkflow(machine, name, 'start');
    }
    const schedulerRole = new iam.Role(this, 'DeadlineScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler: invokes the deadline job, dead-letters undeliverable runs',
    });
    new scheduler.Schedule(this, 'DeadlineSchedule', {
      scheduleName: `${config.prefix}-deadlines`,
      description: 'Runs the deadline job every minute',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      timeWindow: scheduler.TimeWindow.off(),
      target: new schedulerTargets.LambdaInvoke(this.deadlineJob.fn, {
        input: scheduler.ScheduleTargetInput.fromObject({
          job: 'deadlines',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        // A run that cannot start within two minutes is superseded by the next one.
        maxEventAge: Duration.minutes(2),
        retryAttempts: 2,
        deadLetterQueue: jobDlq,
        role: schedulerRole,
      }),
    });
    acknowledgeResourceWildcard(
      schedulerRole,
      `${this.deadlineJob.fn.functionArn}:*`,
      'Invokes the deadline job function only, including its versions (<function ARN>:*), as the scheduler target grant defines.',
    );
    alarm('DeadlineJobDlqAlarm', {
      alarmName: `${config.prefix}-deadline-job-dlq`,
      alarmDescription:
        'Deadline job runs failed or could not be delivered (messages in its dead-letter queue)',
      metric: jobDlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
    });

    this.notificationSender = this.createNotificationSender(common, alarm);
    if (config.malwareProtection) this.malwareScanResult = this.createMalwareScanResult(common, alarm);

    this.createDashboard(config, jobDlq);
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the HTTP API' });
  }

  /**
   * "Whoever must act next is told": the registry table's stream, filtered to new notification items,
   * feeds the e-mail processor (SES in `ses` stages, logged in `log` stages). Failed batches are retried
   * (split in halves), then recorded in an on-failure queue that raises an alarm.
   */
  private createNotificationSender(
    common: Pick<ConstructorParameters<typeof AppFunction>[2], 'config' | 'data' | 'logKey' | 'alarmTopic'>,
    alarm: AlarmFactory,
  ): AppFunction {
    const { config, data } = common;
    const onFailure = this.createQueue(
      'NotificationSenderFailures',
      `${config.prefix}-notification-sender-failures`,
      'event-source',
    );
    const n = config.notifications;
    const sender = new AppFunction(this, 'Job-notification-sender', {
      ...common,
      entry: JOB_FUNCTIONS.notificationSender.entry,
      name: JOB_FUNCTIONS.notificationSender.name,
      description: `Notification outbox processor: new notifications → ${n.channel === 'ses' ? 'SES e-mail' : 'log'}`,
      timeout: NOTIFICATION_TIMEOUT,
      invocation: { kind: 'stream', onFailure },
      environment: {
        NOTIFICATION_CHANNEL: n.channel,
        ...(n.from ? { NOTIFICATION_FROM: n.from } : {}),
        NOTIFICATION_ROLE_ADDRESSES: JSON.stringify(n.roleAddresses),
        NOTIFICATION_MAX_ATTEMPTS: '3',
      },
    });
    // Reads recipients' addresses and records each delivery outcome with its audit event.
    sender.bindTable('readWrite').bindTableStream();
    if (n.channel === 'ses' && n.from) {
      const domain = n.from.split('@')[1] ?? n.from;
      sender.fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          // The sending identity: the address itself or its verified domain; only from that address.
          resources: [n.from, domain].map((identity) =>
            this.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
          ),
          conditions: { StringEquals: { 'ses:FromAddress': n.from } },
        }),
      );
    }
    sender.fn.addEventSource(
      new lambdaEvents.DynamoEventSource(data.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        onFailure: new lambdaEvents.SqsDlq(onFailure),
        // The same rule as `isNewNotification` (functions/core/notifications.ts): new outbox items only.
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { type: { S: lambda.FilterRule.isEqual('notification') } } },
          }),
        ],
      }),
    );
    alarm('NotificationSenderFailuresAlarm', {
      alarmName: `${config.prefix}-notification-sender-failures`,
      alarmDescription: 'Notification records that could not be processed (messages in the on-failure queue)',
      metric: onFailure.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
    });
    return sender;
  }

  /**
   * GuardDuty Malware Protection for S3 publishes each verdict to the default event bus; a rule for the
   * evidence bucket's verdicts invokes the handler that lets evidence count only once it is clean.
   */
  private createMalwareScanResult(
    common: Pick<ConstructorParameters<typeof AppFunction>[2], 'config' | 'data' | 'logKey' | 'alarmTopic'>,
    alarm: AlarmFactory,
  ): AppFunction {
    const { config, data } = common;
    const dlq = this.createQueue(
      'MalwareScanResultDlq',
      `${config.prefix}-malware-scan-result-dlq`,
      'lambda',
    );
    const fn = new AppFunction(this, 'Job-malware-scan-result', {
      ...common,
      entry: JOB_FUNCTIONS.malwareScanResult.entry,
      name: JOB_FUNCTIONS.malwareScanResult.name,
      description:
        'GuardDuty Malware Protection scan results → evidence verified or rejected (infected objects deleted)',
      timeout: SCAN_RESULT_TIMEOUT,
      invocation: { kind: 'async', deadLetterQueue: dlq },
    });
    // Updates the evidence record (and its application) with the audit event; deletes infected objects.
    fn.bindTable('readWrite').bindEvidence('readWrite');
    const rule = new events.Rule(this, 'MalwareScanResultRule', {
      ruleName: `${config.prefix}-malware-scan-result`,
      description: 'GuardDuty Malware Protection for S3: verdicts on the evidence bucket',
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Malware Protection Object Scan Result'],
        detail: { s3ObjectDetails: { bucketName: [data.evidenceBucket.bucketName] } },
      },
    });
    rule.addTarget(
      new eventTargets.LambdaFunction(fn.fn, {
        deadLetterQueue: dlq,
        retryAttempts: 4,
        maxEventAge: Duration.hours(6),
      }),
    );
    alarm('MalwareScanResultDlqAlarm', {
      alarmName: `${config.prefix}-malware-scan-result-dlq`,
      alarmDescription: 'Scan verdicts that could not be applied (messages in the dead-letter queue)',
      metric: dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
    });
    return fn;
  }

  /** Key for the operational data: log groups (function, access and execution logs) and the alarm topic. */
  private createOpsKey(config: StageConfig): kms.Key {
    const key = new kms.Key(this, 'OpsKey', {
      alias: `alias/${config.prefix}-ops`,
      description: `Log groups and alarm topic of ${config.prefix}`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      // Retained: encrypted logs stay readable for their retention period after a teardown.
      removalPolicy: config.statefulRemovalPolicy,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        // The regional CloudWatch Logs principal: logs.<region>.amazonaws.com(.cn).
        principals: [new iam.ServicePrincipal(`logs.${this.region}.${this.urlSuffix}`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    return key;
  }

  /**
   * An encrypted, TLS-only dead-letter queue. `consumer` names what dead-letters into it: cdk-nag
   * recognises a Lambda function's DLQ by itself, not an SNS subscription's nor an event source
   * mapping's on-failure destination.
   */
  private createQueue(
    id: string,
    queueName: string,
    consumer: 'lambda' | 'sns-subscription' | 'event-source',
  ): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      queueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const rules =
      consumer === 'lambda'
        ? ['Serverless-SQSRedrivePolicy']
        : ['Serverless-SQSRedrivePolicy', 'AwsSolutions-SQS3'];
    for (const rule of rules) {
      Validations.of(queue).acknowledge({
        id: rule,
        reason:
          'This queue is itself a dead-letter queue (nothing is redriven from it); operators inspect its messages.',
      });
    }
    return queue;
  }

  private subscribeAlarmEmail(config: StageConfig, email: string): void {
    const undeliverable = this.createQueue(
      'AlarmEmailDlq',
      `${config.prefix}-alarm-email-dlq`,
      'sns-subscription',
    );
    this.alarmTopic.addSubscription(
      new subscriptions.EmailSubscription(email, { deadLetterQueue: undeliverable }),
    );
  }

  private createWorkflow(
    def: WorkflowDef,
    common: Pick<ConstructorParameters<typeof AppFunction>[2], 'config' | 'data' | 'logKey' | 'alarmTopic'>,
  ): { machine: sfn.StateMachine; taskFunction: AppFunction } {
    const { config } = common;
    const taskFunction = new AppFunction(this, `Workflow-${def.name}-Task`, {
      ...common,
      entry: workflowFunctionEntry(def).entry,
      name: workflowFunctionEntry(def).name,
      description: `Task handler of the ${def.name} state machine`,
      timeout: WORKFLOW_TASK_TIMEOUT,
      invocation: { kind: 'sync' },
    });
    taskFunction.bindTable('readWrite');

    const logGroup = new logs.LogGroup(this, `Workflow-${def.name}-Logs`, {
      retention: config.logRetention,
      encryptionKey: common.logKey,
    });
    const asl = def.build({ functionArn: taskFunction.fn.functionArn, partition: Aws.PARTITION });
    const machine = new sfn.StateMachine(this, `Workflow-${def.name}`, {
      stateMachineName: `${config.prefix}-${def.name}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(Stack.of(this).toJsonString(asl)),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: config.tracing.stateMachines,
    });
    // A workflow step may complete a human step of its own execution (e.g. the last expert review arrived
    // before the step opened). Its ARN is built from the name: referencing the machine would be circular.
    taskFunction.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: [
          Stack.of(this).formatArn({
            service: 'states',
            resource: 'stateMachine',
            resourceName: `${config.prefix}-${def.name}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    // The definition is a string, so CDK cannot infer the invoke permission: grant it explicitly.
    const invoke = taskFunction.fn.grantInvoke(machine);
    for (const resource of invoke.principalStatements.flatMap((st) => st.resources)) {
      acknowledgeResourceWildcard(
        machine,
        resource,
        'Invokes this one task function, including its versions (<function ARN>:*).',
      );
    }
    Validations.of(machine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs vended-log delivery (logs:CreateLogDelivery, ...) and X-Ray (xray:PutTraceSegments, ...) do not support resource-level permissions.',
    });
    if (!config.tracing.stateMachines) {
      Validations.of(machine).acknowledge({
        id: 'Serverless-StepFunctionStateMachineXray',
        reason: `X-Ray tracing of state machines is switched off for ${config.region} in the stage configuration.`,
      });
    }
    return { machine, taskFunction };
  }

  private createHttpApi(
    config: StageConfig,
    issuer: JwtIssuer,
    logKey: kms.IKey,
    consoleOrigin?: string,
  ): apigwv2.HttpApi {
    const api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${config.prefix}-api`,
      description: 'Zhongshan AI Enablement Platform management system (中山市人工智能赋能平台管理办法)',
      createDefaultStage: false,
      corsPreflight: {
        // The configured origins and the deployed consoles' distribution.
        allowOrigins: distinctOrigins(...config.allowedOrigins, consoleOrigin),
        allowMethods: [
          apigwv2.CorsHttpMethod.GET,
          apigwv2.CorsHttpMethod.POST,
          apigwv2.CorsHttpMethod.PUT,
          apigwv2.CorsHttpMethod.PATCH,
          apigwv2.CorsHttpMethod.DELETE,
          apigwv2.CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
        exposeHeaders: ['etag', 'location'],
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      encryptionKey: logKey,
    });
    new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.api.rateLimit, burstLimit: config.api.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    const authorizer = new HttpJwtAuthorizer('Jwt', issuer.issuerUrl, {
      authorizerName: `${config.prefix}-jwt`,
      jwtAudience: [...issuer.audience],
      identitySource: ['$request.header.Authorization'],
    });
    const integrations = new Map<RouteGroup, HttpLambdaIntegration>();
    for (const group of ROUTE_GROUPS) {
      integrations.set(group, new HttpLambdaIntegration(`Integration-${group}`, this.apiFunctions[group].fn));
    }
    for (const route of routes) {
      const integration = integrations.get(route.group);
      if (!integration) throw new Error(`Route ${route.id}: unknown group ${route.group}`);
      const [created] = api.addRoutes({
        path: route.path,
        methods: [HTTP_METHODS[route.method]],
        integration,
        authorizer: Array.isArray(route.auth) ? authorizer : new apigwv2.HttpNoneAuthorizer(),
      });
      if (!Array.isArray(route.auth) && created) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(route)} is public by the API contract (${route.summary.split(':')[0]}).`,
        });
      }
    }
    return api;
  }

  private createDashboard(config: StageConfig, jobDlq: sqs.IQueue): void {
    const period = Duration.minutes(5);
    const functions = [
      ...Object.values(this.apiFunctions),
      ...this.workflowFunctions.values(),
      this.deadlineJob,
      this.notificationSender,
      ...(this.malwareScanResult ? [this.malwareScanResult] : []),
    ];
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${config.prefix}-operations`,
      defaultInterval: Duration.hours(6),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [this.api.metricCount({ period, statistic: cloudwatch.Stats.SUM })],
        right: [
          this.api.metricClientError({ period, statistic: cloudwatch.Stats.SUM }),
          this.api.metricServerError({ period, statistic: cloudwatch.Stats.SUM }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        left: [
          this.api.metricLatency({ period, statistic: cloudwatch.Stats.percentile(50) }),
          this.api.metricLatency({ period, statistic: cloudwatch.Stats.percentile(99) }),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: functions.map((f) =>
          f.fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM, label: f.node.id }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p99 (ms)',
        left: functions.map((f) =>
          f.fn.metricDuration({ period, statistic: cloudwatch.Stats.percentile(99), label: f.node.id }),
        ),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'State machine executions',
        left: [...this.stateMachines.entries()].flatMap(([name, m]) => [
          m.metricStarted({ period, statistic: cloudwatch.Stats.SUM, label: `${name} started` }),
          m.metricSucceeded({ period, statistic: cloudwatch.Stats.SUM, label: `${name} succeeded` }),
          m.metricFailed({ period, statistic: cloudwatch.Stats.SUM, label: `${name} failed` }),
          m.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM, label: `${name} timed out` }),
        ]),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deadline job dead letters',
        left: [
          jobDlq.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        ],
        width: 12,
      }),
    );
  }
}
