import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeKey, routes } from '../../functions/api/routes.ts';
import { recordReliability } from '../support/reliability.ts';
import { PROD_CONSOLE, resourcesOf, type Synthesised, synthStage } from './support/synth.ts';

/**
 * Reliability suite 7 (issue 5): the deployed shape, as one checklist over both stages (dev and the
 * China prod stage). Each property is checked on every resource it concerns; a check returns the
 * resources that violate it, so a failure names them. The detailed per-property tests stay in
 * `stateful.test.ts`, `stateless.test.ts` and `nag.test.ts` (cdk-nag clean); this file adds the
 * stage-wide sweep and records how many (property × resource) pairs were asserted.
 */
type Stage = 'dev' | 'prod';
const stages = {} as Record<Stage, Synthesised>;
const asserted: Record<string, number> = {};

beforeAll(() => {
  stages.dev = synthStage('dev');
  // prod with its console domain, so the China console site is swept too.
  stages.prod = synthStage('prod', { context: PROD_CONSOLE });
});
afterAll(async () => {
  for (const s of Object.values(stages)) s.cleanup();
  await recordReliability({
    suite: 'infra',
    tried: asserted,
    fiveXX: 0,
    leaks: 0,
    lost: 0,
    halfWritten: 0,
    notes:
      'synthesised dev and prod (China) stages; each figure counts (property × resource) pairs asserted.',
  });
});

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown };
const all = (s: Synthesised): Template[] =>
  [s.web$, s.stateful$, s.stateless$, s.webContent$].filter((t): t is Template => t !== undefined);
const each = (s: Synthesised, type: string) =>
  all(s).flatMap((t) => Object.entries(resourcesOf(t, type)).map(([id, r]) => ({ id, p: r.Properties })));
const statements = (s: Synthesised): Array<{ id: string; st: Statement }> =>
  all(s).flatMap((t) => [
    ...['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
      Object.entries(resourcesOf(t, type)).flatMap(([id, r]) =>
        (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map((st) => ({ id, st })),
      ),
    ),
    ...Object.entries(resourcesOf(t, 'AWS::IAM::Role')).flatMap(([id, r]) =>
      ((r.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) =>
        p.PolicyDocument.Statement.map((st) => ({ id, st })),
      ),
    ),
  ]);
const actions = (st: Statement): string[] => (Array.isArray(st.Action) ? st.Action : [st.Action]);
const DATA_SERVICES = /^(dynamodb|s3|kms|states|sqs|sns):/;

/** Each check: the items it looked at and the ones that violate the property. */
interface Result {
  readonly checked: number;
  readonly violations: string[];
}
const check = <T>(items: T[], bad: (item: T) => string | undefined): Result => ({
  checked: items.length,
  violations: items.map(bad).filter((v): v is string => v !== undefined),
});

const CHECKS: Record<string, (s: Synthesised) => Result> = {
  'TLS only: every bucket policy denies aws:SecureTransport=false': (s) =>
    check(each(s, 'AWS::S3::Bucket'), ({ id }) => {
      const policies = each(s, 'AWS::S3::BucketPolicy').filter(
        ({ p }) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: id }),
      );
      const denies = JSON.stringify(policies).includes('"aws:SecureTransport":"false"');
      return denies ? undefined : id;
    }),
  'no public access: every bucket blocks public ACLs and policies': (s) =>
    check(each(s, 'AWS::S3::Bucket'), ({ id, p }) => {
      const b = p.PublicAccessBlockConfiguration as Record<string, boolean> | undefined;
      return b?.BlockPublicAcls && b.BlockPublicPolicy && b.IgnorePublicAcls && b.RestrictPublicBuckets
        ? undefined
        : id;
    }),
  'encryption at rest: buckets, tables, topics, queues and log groups': (s) =>
    check(
      [
        ...each(s, 'AWS::S3::Bucket').map((r) => ({ ...r, ok: !!r.p.BucketEncryption })),
        ...each(s, 'AWS::DynamoDB::GlobalTable')
          .concat(each(s, 'AWS::DynamoDB::Table'))
          .map((r) => ({
            ...r,
            ok: !!(r.p.SSESpecification as { SSEEnabled?: boolean } | undefined)?.SSEEnabled,
          })),
        ...each(s, 'AWS::SNS::Topic').map((r) => ({ ...r, ok: !!r.p.KmsMasterKeyId })),
        ...each(s, 'AWS::SQS::Queue').map((r) => ({
          ...r,
          ok: !!r.p.KmsMasterKeyId || r.p.SqsManagedSseEnabled === true,
        })),
        ...each(s, 'AWS::Logs::LogGroup').map((r) => ({ ...r, ok: !!r.p.KmsKeyId })),
      ],
      (r) => (r.ok ? undefined : r.id),
    ),
  'point-in-time recovery and deletion protection on every table': (s) =>
    check(each(s, 'AWS::DynamoDB::GlobalTable').concat(each(s, 'AWS::DynamoDB::Table')), ({ id, p }) => {
      // A global table carries both settings on each replica; a plain table on itself.
      const copies = (p.Replicas as Record<string, unknown>[] | undefined) ?? [p];
      const ok = (c: Record<string, unknown>) =>
        JSON.stringify(c).includes('"PointInTimeRecoveryEnabled":true') &&
        c.DeletionProtectionEnabled === true;
      return copies.length > 0 && copies.every(ok) ? undefined : id;
    }),
  'least privilege: no "*" action, no service-wide wildcard on data': (s) =>
    check(
      statements(s).filter(({ st }) => st.Effect === 'Allow'),
      ({ id, st }) =>
        actions(st).some((a) => a === '*' || (DATA_SERVICES.test(a) && a.endsWith(':*')))
          ? `${id}: ${actions(st).join(',')}`
          : undefined,
    ),
  'least privilege: no data action on a "*" resource': (s) =>
    check(
      statements(s).filter(
        ({ st }) => st.Effect === 'Allow' && actions(st).some((a) => /^(dynamodb|s3):/.test(a)),
      ),
      ({ id, st }) => ([st.Resource].flat().includes('*') ? `${id}: ${actions(st).join(',')}` : undefined),
    ),
  'authorizer on every non-public route': (s) => {
    const cfn = each(s, 'AWS::ApiGatewayV2::Route');
    return check(
      routes.filter((r) => Array.isArray(r.auth)),
      (r) => {
        const found = cfn.find(({ p }) => p.RouteKey === routeKey(r));
        return found?.p.AuthorizationType === 'JWT' && found.p.AuthorizerId ? undefined : routeKey(r);
      },
    );
  },
  'API throttling on the stage': (s) =>
    check(each(s, 'AWS::ApiGatewayV2::Stage'), ({ id, p }) => {
      const t = p.DefaultRouteSettings as Record<string, number> | undefined;
      return (t?.ThrottlingRateLimit ?? 0) > 0 && (t?.ThrottlingBurstLimit ?? 0) > 0 ? undefined : id;
    }),
  'log retention on every log group': (s) =>
    check(each(s, 'AWS::Logs::LogGroup'), ({ id, p }) =>
      typeof p.RetentionInDays === 'number' && p.RetentionInDays > 0 ? undefined : id,
    ),
  'an alarm on errors of every function, with an action': (s) => {
    const alarms = each(s, 'AWS::CloudWatch::Alarm');
    return check(
      each(s, 'AWS::Lambda::Function').filter(({ id }) => !/LogRetention|CustomResource|AwsCustom/i.test(id)),
      ({ id }) =>
        alarms.some(
          ({ p }) =>
            p.MetricName === 'Errors' &&
            JSON.stringify(p.Dimensions ?? []).includes(`"Ref":"${id}"`) &&
            ((p.AlarmActions as unknown[] | undefined)?.length ?? 0) > 0,
        )
          ? undefined
          : id,
    );
  },
};

describe.each(['dev', 'prod'] as const)('the %s stage', (stage) => {
  it.each(Object.keys(CHECKS))('%s', (name) => {
    // Act
    const result = CHECKS[name]?.(stages[stage]) ?? { checked: 0, violations: ['no such check'] };
    asserted[name] = (asserted[name] ?? 0) + result.checked;
    // Assess
    expect(result.checked, 'the check looked at nothing').toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });
});
