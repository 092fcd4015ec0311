import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKey } from '../../functions/adapters/registry.ts';
import { ROUTE_GROUPS, routeKey, routes } from '../../functions/api/routes.ts';
import { AUDIT_KEY_PREFIX } from '../../infra/constructs/app-function.ts';
import { GROUP_ACCESS } from '../../infra/stacks/stateless.ts';
import { workflows } from '../../infra/workflows/index.ts';
import { workflowArnEnv } from '../../infra/workflows/types.ts';
import { envOf, PROD_OIDC, resourcesOf, type Synthesised, synthStage } from './support/synth.ts';

const stages: Record<'dev' | 'prod', Synthesised> = {} as Record<'dev' | 'prod', Synthesised>;

beforeAll(() => {
  stages.dev = synthStage('dev');
  stages.prod = synthStage('prod');
});
afterAll(() => {
  for (const s of Object.values(stages)) s.cleanup();
});

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown };
type PolicyDocument = { Statement: Statement[] };
/** Every IAM statement of both stacks: policies, managed policies and roles' inline policies. */
const statementsOf = (s: Synthesised): Array<{ policy: string; statement: Statement }> =>
  [s.stateful$, s.stateless$].flatMap((template) => [
    ...['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
      Object.entries(resourcesOf(template, type)).flatMap(([policy, p]) =>
        (p.Properties.PolicyDocument as PolicyDocument).Statement.map((statement) => ({ policy, statement })),
      ),
    ),
    ...Object.entries(resourcesOf(template, 'AWS::IAM::Role')).flatMap(([role, r]) =>
      ((r.Properties.Policies ?? []) as Array<{ PolicyDocument: PolicyDocument }>).flatMap((p) =>
        p.PolicyDocument.Statement.map((statement) => ({ policy: role, statement })),
      ),
    ),
  ]);
const actionsOf = (st: Statement): string[] => (Array.isArray(st.Action) ? st.Action : [st.Action]);

describe.each(['dev', 'prod'] as const)('stateless stack (%s)', (stage) => {
  const s = (): Synthesised => stages[stage];

  it('makes exactly one route per route-table entry, with the JWT authorizer unless public', () => {
    const cfnRoutes = Object.values(resourcesOf(s().stateless$, 'AWS::ApiGatewayV2::Route'));
    expect(cfnRoutes).toHaveLength(routes.length);
    const authorizers = Object.keys(resourcesOf(s().stateless$, 'AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    for (const route of routes) {
      const cfn = cfnRoutes.filter((r) => r.Properties?.RouteKey === routeKey(route));
      expect(cfn, routeKey(route)).toHaveLength(1);
      const props = cfn[0]?.Properties ?? {};
      if (!Array.isArray(route.auth)) {
        expect(props.AuthorizationType, routeKey(route)).toBe('NONE');
        expect(props.AuthorizerId, routeKey(route)).toBeUndefined();
      } else {
        expect(props.AuthorizationType, routeKey(route)).toBe('JWT');
        expect(props.AuthorizerId, routeKey(route)).toEqual({ Ref: authorizers[0] });
      }
    }
  });

  it('sends each route to its group’s function', () => {
    const integrations = resourcesOf(s().stateless$, 'AWS::ApiGatewayV2::Integration');
    const stack = s().stateless;
    for (const route of routes) {
      const cfn = Object.values(resourcesOf(s().stateless$, 'AWS::ApiGatewayV2::Route')).find(
        (r) => r.Properties?.RouteKey === routeKey(route),
      );
      const target = JSON.stringify(cfn?.Properties?.Target);
      const integrationId = /"Ref":"([^"]+)"/.exec(target)?.[1] ?? '';
      const fnId = stack.getLogicalId(stack.apiFunctions[route.group].fn.node.defaultChild as CfnFunction);
      expect(integrations[integrationId]?.Properties?.IntegrationUri, routeKey(route)).toEqual({
        'Fn::GetAtt': [fnId, 'Arn'],
      });
    }
  });

  it('configures the JWT authorizer from the stage’s issuer and audience', () => {
    const authorizer = Object.values(resourcesOf(s().stateless$, 'AWS::ApiGatewayV2::Authorizer'))[0];
    const props = authorizer?.Properties as {
      AuthorizerType: string;
      IdentitySource: string[];
      JwtConfiguration: unknown;
    };
    expect(props.AuthorizerType).toBe('JWT');
    expect(props.IdentitySource).toEqual(['$request.header.Authorization']);
    if (stage === 'prod') {
      expect(props.JwtConfiguration).toEqual({
        Issuer: PROD_OIDC.oidcIssuer,
        Audience: [PROD_OIDC.oidcAudience],
      });
    } else {
      // The user pool's issuer, built from the partition's URL suffix; the audience is the console client.
      expect(props.JwtConfiguration).toEqual({
        Issuer: {
          'Fn::Join': [
            '',
            [
              `https://cognito-idp.${s().config.region}.`,
              { Ref: 'AWS::URLSuffix' },
              '/',
              { 'Fn::ImportValue': expect.stringMatching(/:ExportsOutputRefUsers[0-9A-F]+$/) },
            ],
          ],
        },
        // The console client and the deployed consoles' hosted sign-in client (web-console.test.ts).
        Audience: [
          { 'Fn::ImportValue': expect.stringMatching(/:ExportsOutputRefUsersConsoles/) },
          { 'Fn::ImportValue': expect.stringMatching(/:ExportsOutputRefUsersConsoleHostedUi/) },
        ],
      });
    }
  });

  it('throttles the default stage and writes structured (JSON) access logs', () => {
    const stages$ = Object.values(resourcesOf(s().stateless$, 'AWS::ApiGatewayV2::Stage'));
    expect(stages$).toHaveLength(1);
    const props = stages$[0]?.Properties as {
      StageName: string;
      DefaultRouteSettings: Record<string, number>;
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    };
    expect(props.StageName).toBe('$default');
    expect(props.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: s().config.api.rateLimit,
      ThrottlingBurstLimit: s().config.api.burstLimit,
    });
    const format = JSON.parse(props.AccessLogSettings.Format) as Record<string, string>;
    expect(format.requestId).toBe('$context.requestId');
    expect(format.status).toBe('$context.status');
    const logGroup = resourcesOf(s().stateless$, 'AWS::Logs::LogGroup')[
      props.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]
    ];
    expect(logGroup?.Properties?.RetentionInDays).toBe(s().config.logRetention);
  });

  it('runs every function on Node.js 24 (ARM64) with an explicit timeout and memory', () => {
    const functions = resourcesOf(s().stateless$, 'AWS::Lambda::Function');
    // One per route group and per workflow, the deadline job, the notification sender, and the scan-result
    // handler where the stage scans evidence for malware.
    const scan = s().config.malwareProtection ? 1 : 0;
    expect(Object.keys(functions)).toHaveLength(ROUTE_GROUPS.length + workflows.length + 2 + scan);
    for (const [id, fn] of Object.entries(functions)) {
      expect(fn.Properties?.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties?.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties?.Timeout, id).toBeLessThanOrEqual(50);
      expect(fn.Properties?.MemorySize, id).toBe(512);
      expect((fn.Properties?.TracingConfig as { Mode?: string } | undefined)?.Mode, id).toBe(
        s().config.tracing.lambda ? 'Active' : undefined,
      );
    }
  });

  it('gives every function its own encrypted log group with the stage’s retention', () => {
    const logGroups = resourcesOf(s().stateless$, 'AWS::Logs::LogGroup');
    for (const [id, fn] of Object.entries(resourcesOf(s().stateless$, 'AWS::Lambda::Function'))) {
      const ref = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logGroups[ref]?.Properties?.RetentionInDays, id).toBe(s().config.logRetention);
    }
    for (const [id, lg] of Object.entries(logGroups)) {
      expect(lg.Properties?.KmsKeyId, id).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^OpsKey/), 'Arn'],
      });
      expect(lg.Properties?.RetentionInDays, id).toBe(s().config.logRetention);
    }
  });

  it('alarms on errors and throttles of every function, to the alarm topic', () => {
    const alarms = Object.values(resourcesOf(s().stateless$, 'AWS::CloudWatch::Alarm'));
    const topic = Object.keys(resourcesOf(s().stateless$, 'AWS::SNS::Topic'))[0];
    for (const id of Object.keys(resourcesOf(s().stateless$, 'AWS::Lambda::Function'))) {
      for (const metric of ['Errors', 'Throttles']) {
        const found = alarms.filter(
          (a) =>
            a.Properties?.MetricName === metric &&
            a.Properties?.Namespace === 'AWS/Lambda' &&
            JSON.stringify(a.Properties?.Dimensions) ===
              JSON.stringify([{ Name: 'FunctionName', Value: { Ref: id } }]),
        );
        expect(found, `${metric} alarm of ${id}`).toHaveLength(1);
        expect(found[0]?.Properties?.AlarmActions).toEqual([{ Ref: topic }]);
      }
    }
  });

  it('alarms on API 5xx, failed and timed-out executions, and dead letters', () => {
    const alarms = Object.values(resourcesOf(s().stateless$, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties,
    );
    const metric = (ns: string, name: string): number =>
      alarms.filter((a) => a?.Namespace === ns && a.MetricName === name).length;
    expect(metric('AWS/ApiGateway', '5xx')).toBe(1);
    expect(metric('AWS/States', 'ExecutionsFailed')).toBe(workflows.length);
    expect(metric('AWS/States', 'ExecutionsTimedOut')).toBe(workflows.length);
    // Deadline job DLQ, notification sender on-failure queue, and the scan-result DLQ where scanning is on.
    expect(metric('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toBe(
      2 + (s().config.malwareProtection ? 1 : 0),
    );
    s().stateless$.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('encrypts the alarm topic (KMS) and the dead-letter queue, and both refuse non-TLS access', () => {
    s().stateless$.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('OpsKey'), 'Arn'] },
    });
    s().stateless$.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    for (const [id, q] of Object.entries(resourcesOf(s().stateless$, 'AWS::SQS::Queue'))) {
      expect(q.Properties?.SqsManagedSseEnabled, id).toBe(true);
      s().stateless$.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    s().stateless$.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('grants no action wildcard, no service-wide wildcard and no Scan', () => {
    const all = statementsOf(s()).filter(({ statement }) => statement.Effect === 'Allow');
    expect(all.length).toBeGreaterThan(10);
    for (const { policy, statement } of all) {
      for (const action of actionsOf(statement)) {
        expect(action, policy).not.toBe('*');
        expect(action, policy).not.toMatch(/^[a-z0-9-]+:\*$/);
        expect(action, policy).not.toBe('dynamodb:Scan');
      }
    }
  });

  it('limits data actions to the registry table, its named indexes and the evidence bucket', () => {
    for (const { policy, statement } of statementsOf(s())) {
      const actions = actionsOf(statement);
      const resources = JSON.stringify(statement.Resource);
      if (actions.some((a) => a.startsWith('dynamodb:'))) {
        // ListStreams has no resource-level permissions: on `*` it is the only DynamoDB action.
        if (resources === '"*"') {
          expect(
            actions.filter((a) => a.startsWith('dynamodb:')),
            policy,
          ).toEqual(['dynamodb:ListStreams']);
          continue;
        }
        expect(resources, policy).toMatch(/ExportsOutputFnGetAttRegistry/);
        expect(resources, policy).not.toContain('index/*');
      }
      if (actions.some((a) => a.startsWith('s3:') && a !== 's3:ListBucket')) {
        expect(resources, policy).not.toBe('"*"');
      }
      if (actions.some((a) => a.startsWith('kms:'))) expect(resources, policy).not.toBe('"*"');
    }
  });

  it('binds each route group as the access map says (least privilege)', () => {
    const stack = s().stateless;
    const policyOf = (group: (typeof ROUTE_GROUPS)[number]): string => {
      const role = stack.apiFunctions[group].fn.role;
      const id = stack.getLogicalId(role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild as never);
      return JSON.stringify(resourcesOf(s().stateless$, 'AWS::IAM::Policy')[id]);
    };
    expect(policyOf('system')).not.toContain('dynamodb:PutItem');
    expect(policyOf('audit')).not.toContain('dynamodb:PutItem');
    expect(policyOf('organisations')).toContain('dynamodb:PutItem');
    expect(policyOf('organisations')).toContain('states:StartExecution');
    expect(policyOf('organisations')).toContain('states:SendTaskSuccess');
    expect(policyOf('system')).not.toContain('states:');
    // Recognition groups: evidence only where uploads and downloads happen; workflows as each group drives them.
    expect(policyOf('applications')).toContain('s3:PutObject');
    expect(policyOf('applications')).toContain('states:StartExecution');
    for (const group of ['calls', 'review', 'registry', 'notifications', 'settings'] as const) {
      expect(policyOf(group), group).not.toContain('s3:');
      expect(policyOf(group), group).not.toContain('states:StartExecution');
    }
    expect(policyOf('review')).toContain('states:SendTaskSuccess');
    expect(policyOf('calls')).not.toContain('states:');
    expect(policyOf('notifications')).not.toContain('states:');
    expect(policyOf('notifications')).not.toContain('ses:');
  });

  it('passes each state machine’s ARN to the functions that start or complete it', () => {
    const stack = s().stateless;
    const machineRef = (name: string) => ({
      Ref: stack.getLogicalId(stack.stateMachines.get(name)?.node.defaultChild as never),
    });
    const envOfFn = (fn: { fn: { node: { defaultChild?: unknown } } }) => {
      const id = stack.getLogicalId(fn.fn.node.defaultChild as CfnFunction);
      const fnResource = resourcesOf(s().stateless$, 'AWS::Lambda::Function')[id];
      return fnResource ? envOf(fnResource) : {};
    };
    // Each API function gets exactly the machines its group is bound to.
    for (const group of ROUTE_GROUPS) {
      const vars = envOfFn(stack.apiFunctions[group]);
      for (const def of workflows) {
        const bound = GROUP_ACCESS[group].workflows?.[def.name];
        if (bound) expect(vars[workflowArnEnv(def.name)], group).toEqual(machineRef(def.name));
        else expect(vars[workflowArnEnv(def.name)], group).toBeUndefined();
      }
    }
    // The deadline job releases long human waits of every machine.
    for (const def of workflows) {
      expect(envOfFn(stack.deadlineJob)[workflowArnEnv(def.name)]).toEqual(machineRef(def.name));
    }
  });

  it('gives the API functions the issuer the optional-auth routes verify tokens against', () => {
    const stack = s().stateless;
    for (const group of ROUTE_GROUPS) {
      const id = stack.getLogicalId(stack.apiFunctions[group].fn.node.defaultChild as CfnFunction);
      const vars = envOf(resourcesOf(s().stateless$, 'AWS::Lambda::Function')[id] as never);
      if (stage === 'prod') {
        expect(vars.JWT_ISSUER, group).toBe(PROD_OIDC.oidcIssuer);
        expect(vars.JWT_AUDIENCE, group).toBe(PROD_OIDC.oidcAudience);
        expect(vars.JWKS_URL, group).toBe(`${PROD_OIDC.oidcIssuer}/.well-known/jwks.json`);
      } else {
        expect(JSON.stringify(vars.JWT_ISSUER), group).toContain('https://cognito-idp.');
        expect(JSON.stringify(vars.JWKS_URL), group).toContain('/.well-known/jwks.json');
        expect(JSON.stringify(vars.JWT_AUDIENCE), group).toContain('UsersConsoles');
      }
    }
  });

  it('sets EVIDENCE_MALWARE_SCAN on every function from the stage', () => {
    for (const [id, fn] of Object.entries(resourcesOf(s().stateless$, 'AWS::Lambda::Function'))) {
      expect(envOf(fn).EVIDENCE_MALWARE_SCAN, id).toBe(String(s().config.malwareProtection));
    }
  });

  it('feeds new notification items from the table stream to the sender, retried, then dead-lettered', () => {
    const stack = s().stateless;
    const senderId = stack.getLogicalId(stack.notificationSender.fn.node.defaultChild as CfnFunction);
    s().stateless$.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: senderId },
      EventSourceArn: {
        'Fn::ImportValue': Match.stringLikeRegexp('ExportsOutputFnGetAttRegistry.*StreamArn'),
      },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotificationSenderFailures'), 'Arn'] },
        },
      },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { type: { S: ['notification'] } } },
            }),
          },
        ],
      },
    });
    const vars = envOf(resourcesOf(s().stateless$, 'AWS::Lambda::Function')[senderId] as never);
    expect(vars.NOTIFICATION_CHANNEL).toBe(s().config.notifications.channel);
  });

  it('lets the sender e-mail only from the configured identity (SES stages) and not at all in China', () => {
    const ses = statementsOf(s()).filter(({ statement }) =>
      actionsOf(statement).some((a) => a.startsWith('ses:')),
    );
    if (s().config.notifications.channel === 'ses') {
      expect(ses).toHaveLength(1);
      const st = ses[0]?.statement as Statement & { Condition?: unknown };
      expect(actionsOf(st)).toEqual(['ses:SendEmail']);
      expect(st.Condition).toEqual({
        StringEquals: { 'ses:FromAddress': s().config.notifications.from },
      });
      expect(JSON.stringify(st.Resource)).toContain(`:identity/${s().config.notifications.from}`);
      expect(ses[0]?.policy).toMatch(/^Jobnotificationsender/);
    } else {
      expect(ses).toEqual([]);
    }
  });

  it('routes GuardDuty scan verdicts on the evidence bucket to the scan-result handler where scanning is on', () => {
    const rules = Object.values(resourcesOf(s().stateless$, 'AWS::Events::Rule'));
    const scanRules = rules.filter((r) =>
      JSON.stringify(r.Properties.EventPattern).includes('GuardDuty Malware Protection Object Scan Result'),
    );
    if (!s().config.malwareProtection) {
      expect(scanRules).toEqual([]);
      expect(s().stateless.malwareScanResult).toBeUndefined();
      return;
    }
    const stack = s().stateless;
    const fnId = stack.getLogicalId(stack.malwareScanResult?.fn.node.defaultChild as CfnFunction);
    expect(scanRules).toHaveLength(1);
    expect(scanRules[0]?.Properties.EventPattern).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Malware Protection Object Scan Result'],
      detail: {
        s3ObjectDetails: {
          bucketName: [{ 'Fn::ImportValue': expect.stringMatching(/ExportsOutputRefEvidence/) }],
        },
      },
    });
    expect(scanRules[0]?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/MalwareScanResultDlq/), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21600 },
      }),
    ]);
  });

  it('sets the typed environment every handler reads', () => {
    for (const [id, fn] of Object.entries(resourcesOf(s().stateless$, 'AWS::Lambda::Function'))) {
      const vars = envOf(fn);
      expect(vars.STAGE, id).toBe(stage);
      expect(vars.POLICY_END_DATE, id).toBe('2027-12-31');
      expect(vars.TABLE_NAME, id).toEqual({
        'Fn::ImportValue': expect.stringMatching(/:ExportsOutputRefRegistry/),
      });
      expect(vars.EVIDENCE_BUCKET, id).toEqual({
        'Fn::ImportValue': expect.stringMatching(/:ExportsOutputRefEvidence/),
      });
      expect(vars.NODE_OPTIONS, id).toBe('--enable-source-maps');
      expect(vars.POWERTOOLS_SERVICE_NAME, id).toMatch(new RegExp(`^zs-ai-${stage}-`));
    }
  });

  it('logs every state machine at level ALL with execution data, traced where configured', () => {
    for (const def of workflows) {
      s().stateless$.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: `zs-ai-${stage}-${def.name}`,
        StateMachineType: 'STANDARD',
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
        TracingConfiguration: { Enabled: s().config.tracing.stateMachines },
      });
    }
  });

  it('runs the deadline job every minute, with retries and a dead-letter queue', () => {
    const stack = s().stateless;
    const jobId = stack.getLogicalId(stack.deadlineJob.fn.node.defaultChild as CfnFunction);
    s().stateless$.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [jobId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadlineJobDlq'), 'Arn'] } },
        RoleArn: Match.anyValue(),
      },
    });
    s().stateless$.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `zs-ai-${stage}-job-deadlines`,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadlineJobDlq'), 'Arn'] } },
    });
  });

  it('builds the issuer URL and KMS conditions from the partition’s URL suffix', () => {
    const template = JSON.stringify(s().stateless$.toJSON());
    expect(template).toContain(`"logs.${s().config.region}.",{"Ref":"AWS::URLSuffix"}`);
    expect(template).toContain(`"dynamodb.${s().config.region}.",{"Ref":"AWS::URLSuffix"}`);
    expect(Stack.of(s().stateless).region).toBe(s().config.region);
  });
});

/** The statements of one function's role (its default policy), from the synthesised template. */
function functionStatements(s: Synthesised, fn: { fn: { role?: unknown } }): Statement[] {
  const stack = s.stateless;
  const role = fn.fn.role as {
    node: { tryFindChild(id: string): { node: { defaultChild?: unknown } } | undefined };
  };
  const id = stack.getLogicalId(role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as never);
  const policy = resourcesOf(s.stateless$, 'AWS::IAM::Policy')[id];
  return (policy?.Properties.PolicyDocument as PolicyDocument | undefined)?.Statement ?? [];
}
const TABLE_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const has = (statements: Statement[], action: string): boolean =>
  statements.some((st) => st.Effect === 'Allow' && actionsOf(st).includes(action));
/** Granted without a condition (a conditional grant, e.g. audit-only puts, does not count). */
const hasUnconditionally = (statements: Statement[], action: string): boolean =>
  statements.some(
    (st) =>
      st.Effect === 'Allow' &&
      actionsOf(st).includes(action) &&
      (st as Statement & { Condition?: unknown }).Condition === undefined,
  );
/** The statements that let a function put audit events only (`readAudit`). */
const auditOnlyPuts = (statements: Statement[]): Statement[] =>
  statements.filter(
    (st) =>
      st.Effect === 'Allow' &&
      JSON.stringify(actionsOf(st)) === '["dynamodb:PutItem"]' &&
      JSON.stringify((st as Statement & { Condition?: unknown }).Condition) ===
        JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${AUDIT_KEY_PREFIX}*`] } }),
  );

describe.each(['dev', 'prod'] as const)('least privilege per function (%s)', (stage) => {
  const s = (): Synthesised => stages[stage];
  /** Workflow names whose machine a statement with `action` covers (by the machine's Ref). */
  const machinesFor = (statements: Statement[], action: string): string[] => {
    const stack = s().stateless;
    const byRef = new Map(
      [...stack.stateMachines].map(([name, m]) => [
        JSON.stringify({ Ref: stack.getLogicalId(m.node.defaultChild as never) }),
        name,
      ]),
    );
    return statements
      .filter((st) => st.Effect === 'Allow' && actionsOf(st).includes(action))
      .flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]))
      .map((r) => byRef.get(JSON.stringify(r)) ?? `unexpected resource ${JSON.stringify(r)}`)
      .sort();
  };

  it.each(ROUTE_GROUPS.map((g) => [g] as const))(
    'the %s function gets exactly what GROUP_ACCESS declares',
    (group) => {
      const access = GROUP_ACCESS[group];
      const statements = functionStatements(s(), s().stateless.apiFunctions[group]);
      expect(has(statements, 'dynamodb:Query'), 'table reads').toBe(true);
      for (const action of TABLE_WRITES)
        expect(hasUnconditionally(statements, action), action).toBe(access.table === 'readWrite');
      expect(auditOnlyPuts(statements).length, 'audit-only puts').toBe(access.table === 'readAudit' ? 1 : 0);
      expect(has(statements, 's3:GetObject'), 's3:GetObject').toBe(access.evidence !== undefined);
      expect(has(statements, 's3:PutObject'), 's3:PutObject').toBe(access.evidence === 'readWrite');
      expect(has(statements, 's3:DeleteObject'), 's3:DeleteObject').toBe(access.evidence === 'readWrite');
      const declared = (grant: 'start' | 'callback'): string[] =>
        Object.entries(access.workflows ?? {})
          .filter(([, grants]) => grants.includes(grant))
          .map(([name]) => name)
          .sort();
      expect(machinesFor(statements, 'states:StartExecution')).toEqual(declared('start'));
      expect(machinesFor(statements, 'states:SendTaskSuccess')).toEqual(declared('callback'));
      expect(machinesFor(statements, 'states:SendTaskFailure')).toEqual(declared('callback'));
    },
  );

  it('issue 4 groups: exports only read (and audit); revocation fails evaluation steps; evaluation drives its machine', () => {
    // Each has its routes, so its own function (the route tests above check authorizer and target).
    expect(ROUTE_GROUPS).toEqual(
      expect.arrayContaining(['operations', 'evaluation', 'revocation', 'exports']),
    );
    expect(GROUP_ACCESS.exports).toEqual({ table: 'readAudit' });
    expect(GROUP_ACCESS.revocation).toEqual({
      table: 'readWrite',
      workflows: { 'annual-evaluation': ['callback'] },
    });
    expect(GROUP_ACCESS.evaluation.workflows).toEqual({ 'annual-evaluation': ['start', 'callback'] });
    expect(GROUP_ACCESS.evaluation.evidence).toBe('readWrite');
    expect(GROUP_ACCESS.operations.evidence).toBe('readWrite');
    expect(GROUP_ACCESS.operations.workflows).toBeUndefined();
    // Synthesised: the exports function (once deployed) writes nothing but audit events (observer
    // exports are audited, Art. 11): no update, delete, object write or workflow access.
    if (ROUTE_GROUPS.includes('exports')) {
      const statements = functionStatements(s(), s().stateless.apiFunctions.exports);
      const audit = auditOnlyPuts(statements);
      expect(audit).toHaveLength(1);
      const writes = statements
        .filter((st) => !audit.includes(st))
        .flatMap(actionsOf)
        .filter((a) => /^(dynamodb:(Put|Update|Delete|BatchWrite)|s3:(Put|Delete)|states:)/.test(a));
      expect(writes).toEqual([]);
    }
  });

  it('limits audit-only puts to the partition of audit events the registry writes', () => {
    expect(auditKey('platform-1', '2026-01-01T00:00:00.000Z', 'x').pk.startsWith(AUDIT_KEY_PREFIX)).toBe(
      true,
    );
    expect(AUDIT_KEY_PREFIX).toBe('AUDIT#');
  });

  it('lets the deadline job complete or release waiting steps of every machine, and repeat a deferred start', () => {
    const statements = functionStatements(s(), s().stateless.deadlineJob);
    const all = workflows.map((w) => w.name).sort();
    expect(machinesFor(statements, 'states:SendTaskSuccess')).toEqual(all);
    expect(machinesFor(statements, 'states:SendTaskFailure')).toEqual(all);
    // A start that failed after its decision committed is repeated by the deadline job (workflow-retries).
    expect(machinesFor(statements, 'states:StartExecution')).toEqual(all);
  });

  it.each(workflows.map((w) => [w.name] as const))(
    'the %s task function may send task success/failure only on its own state machine',
    (name) => {
      const fn = s().stateless.workflowFunctions.get(name);
      expect(fn).toBeDefined();
      const statements = functionStatements(s(), fn as never);
      const states = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('states:')));
      expect(states).toHaveLength(1);
      expect(actionsOf(states[0] as Statement).sort()).toEqual([
        'states:SendTaskFailure',
        'states:SendTaskSuccess',
      ]);
      // The ARN is built from the machine's name (a reference would be circular): exactly its own.
      const resource = JSON.stringify(states[0]?.Resource);
      expect(resource).toMatch(new RegExp(`:stateMachine:${s().config.prefix}-${name}"\\]\\]\\}$`));
      for (const other of workflows.filter((w) => w.name !== name)) {
        expect(resource).not.toContain(`:stateMachine:${s().config.prefix}-${other.name}"`);
      }
    },
  );

  it.each(workflows.map((w) => [w.name] as const))(
    'the %s state machine invokes only its own task function',
    (name) => {
      const stack = s().stateless;
      const machine = stack.stateMachines.get(name);
      const fn = stack.workflowFunctions.get(name);
      const fnId = stack.getLogicalId(fn?.fn.node.defaultChild as never);
      const statements = functionStatements(s(), { fn: { role: machine?.role } });
      const invoked = statements
        .filter((st) => actionsOf(st).includes('lambda:InvokeFunction'))
        .flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]))
        .map((r) => JSON.stringify(r));
      expect(invoked.length).toBeGreaterThan(0);
      for (const r of invoked) expect(r, name).toContain(`"${fnId}"`);
    },
  );
});
