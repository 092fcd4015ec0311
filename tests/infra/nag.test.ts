import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFunction } from '../../infra/constructs/app-function.ts';
import { type Synthesised, synthStage } from './support/synth.ts';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin on every synth (infra/app.ts). Here: both packs
 * find nothing unacknowledged in either stage, and every acknowledgment carries a real reason.
 */
const stages: Partial<Record<'dev' | 'prod', Synthesised>> = {};
beforeAll(() => {
  // With the packs registered, an in-memory synth throws on any unacknowledged error finding.
  // dev with an alarm e-mail subscription, so its dead-letter queue is checked too.
  stages.dev = synthStage('dev', { nag: true, context: { alarmEmail: 'ops@example.gov.cn' } });
  stages.prod = synthStage('prod', { nag: true });
});
afterAll(() => {
  for (const s of Object.values(stages)) s?.cleanup();
});

type Violation = { ruleName: string; violatingResources: Array<{ constructPath?: string }> };
const describeViolations = (violations: readonly Violation[]): string[] =>
  violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath ?? '?'}`));

const acknowledgments = (root: IConstruct): Array<{ path: string; id: string; reason: string }> =>
  root.node.findAll().flatMap((c) =>
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

describe.each(['dev', 'prod'] as const)('cdk-nag (%s)', (stage) => {
  const s = (): Synthesised => stages[stage] as Synthesised;

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s reports no unacknowledged finding, errors or warnings', (_name, pack) => {
    const report = pack().validateScope(s().app);
    expect(describeViolations(report.violations as Violation[])).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('the synth’s validation report lists no violation', () => {
    const file = path.join(s().outdir, 'validation-report.json');
    if (!existsSync(file)) return; // written only when a plugin ran; the synth above would have thrown
    const report = JSON.parse(readFileSync(file, 'utf8')) as {
      pluginReports: Array<{
        pluginName: string;
        violations: Array<Violation & { violatingConstructs?: Violation['violatingResources'] }>;
      }>;
    };
    // Construct annotations report `violatingConstructs`; the one expected warning is the China stage
    // without a console domain (the consoles are skipped, infra/config.ts).
    const violations = report.pluginReports
      .flatMap((p) => p.violations)
      .filter((v) => v.ruleName !== 'Annotation::zs-ai:console-skipped')
      .map((v) => ({ ...v, violatingResources: v.violatingResources ?? v.violatingConstructs ?? [] }));
    expect(describeViolations(violations)).toEqual([]);
  });

  it('acknowledges only findings the packs really raise (no stale acknowledgments)', () => {
    const raised = new Set<string>();
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      // Test-only: see every finding, acknowledged or not (the pack's check is private).
      Object.assign(pack, { isAcknowledged: () => false });
      for (const v of pack.validateScope(s().app).violations as Violation[]) {
        for (const r of v.violatingResources) raised.add(`${v.ruleName} @ ${r.constructPath ?? ''}`);
      }
    }
    const stale = acknowledgments(s().app).filter(
      (ack) =>
        ![...raised].some((f) => f.startsWith(`${ack.id} @ ${ack.path}/`) || f === `${ack.id} @ ${ack.path}`),
    );
    expect(stale.map((a) => `${a.id} @ ${a.path}`)).toEqual([]);
  });

  it('acknowledges findings only with specific reasons, and never an action wildcard', () => {
    const acks = acknowledgments(s().app);
    expect(acks.length).toBeGreaterThan(5);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.id} @ ${ack.path}`).toBeGreaterThanOrEqual(40);
      expect(ack.id, ack.path).not.toMatch(/\[Action::[^\]]*\*\]/);
    }
  });
});

describe('AppFunction.bindEvidence (no route group binds evidence yet)', () => {
  let probe: Synthesised;
  let policy: string;
  beforeAll(() => {
    probe = synthStage('prod', {
      nag: true,
      extend: ({ stateless, config, stateful }) => {
        const fn = new AppFunction(stateless, 'EvidenceProbe', {
          config,
          data: { table: stateful.table, evidenceBucket: stateful.evidenceBucket, dataKey: stateful.dataKey },
          entry: 'functions/api/system.ts',
          name: 'evidence-probe',
          description: 'Probe: evidence binding',
          timeout: Duration.seconds(5),
          invocation: { kind: 'sync' },
          logKey: stateless.alarmTopic.masterKey as IKey,
          alarmTopic: stateless.alarmTopic,
        });
        fn.bindEvidence('readWrite');
      },
    });
    const stack = probe.stateless;
    const fn = stack.node.findChild('EvidenceProbe') as AppFunction;
    const id = stack.getLogicalId(
      fn.fn.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnPolicy,
    );
    policy = JSON.stringify(probe.stateless$.toJSON().Resources[id]);
  });
  afterAll(() => probe.cleanup());

  it('grants object actions on the evidence bucket, deletes only under incoming/, KMS only via S3', () => {
    expect(policy).toContain('"s3:GetObject"');
    expect(policy).toContain('"s3:PutObject"');
    expect(policy).toMatch(
      /"Action":"s3:DeleteObject","Effect":"Allow","Resource":\{"Fn::Join":\["",\[\{"Fn::ImportValue":"[^"]+ExportsOutputFnGetAttEvidence[^"]+"\},"\/incoming\/\*"\]\]\}/,
    );
    expect(policy).toContain(
      '"kms:ViaService":{"Fn::Join":["",["s3.cn-northwest-1.",{"Ref":"AWS::URLSuffix"}]]}',
    );
    expect(policy).not.toContain('s3:*');
    expect(policy).not.toContain('s3:DeleteObject*');
  });

  it('its resource wildcards are acknowledged, and nothing else is raised', () => {
    const violations = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      describeViolations(pack.validateScope(probe.app).violations as Violation[]),
    );
    expect(violations).toEqual([]);
    const ids = acknowledgments(probe.app)
      .filter((a) => a.path.includes('EvidenceProbe'))
      .map((a) => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions-IAM5\[Resource::[^\]]*Evidence[^\]]*\/\*\]$/),
        expect.stringMatching(/^AwsSolutions-IAM5\[Resource::[^\]]*Evidence[^\]]*\/incoming\/\*\]$/),
      ]),
    );
  });
});

describe('the nag harness', () => {
  it('does report findings on a non-compliant resource (control)', () => {
    const app = new App();
    const stack = new Stack(app, 'Control', { env: { region: 'cn-northwest-1' } });
    new s3.Bucket(stack, 'Open', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY });
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
