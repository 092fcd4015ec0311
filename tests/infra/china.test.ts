import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../infra/config.ts';
import { stringsWithPaths } from './support/intrinsics.ts';
import { PROD_OIDC, resourcesOf, type Synthesised, synthStage } from './support/synth.ts';

/**
 * Personal data of state organs stays in China (PIPL Art. 36): the production stage deploys to
 * cn-northwest-1 (partition aws-cn). Nothing in its templates may name the commercial partition.
 */
let prod: Synthesised;
let dev: Synthesised;
beforeAll(() => {
  prod = synthStage('prod');
  dev = synthStage('dev');
});
afterAll(() => {
  prod.cleanup();
  dev.cleanup();
});

/** A global service principal name (`lambda.amazonaws.com`) in a principal position is the same in every partition. */
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/;
const isPrincipalPosition = (path: string): boolean =>
  /\.Principal\.Service(\[\d+\])?$/.test(path) || /^Resources\.[^.]+\.Properties\.Principal$/.test(path);

function partitionLiterals(template: Template): { arns: string[]; endpoints: string[] } {
  const strings = stringsWithPaths(template.toJSON());
  return {
    arns: strings.filter((s) => s.value.includes('arn:aws:')).map((s) => `${s.path} = ${s.value}`),
    endpoints: strings
      .filter((s) => s.value.includes('amazonaws.com'))
      .filter((s) => !(isPrincipalPosition(s.path) && SERVICE_PRINCIPAL.test(s.value)))
      .map((s) => `${s.path} = ${s.value}`),
  };
}

describe('the China stage (prod)', () => {
  it('targets Ningxia in the aws-cn partition', () => {
    expect(prod.config.region).toBe('cn-northwest-1');
    expect(prod.config.partition).toBe('aws-cn');
    expect(prod.stateful.region).toBe('cn-northwest-1');
    expect(prod.stateless.region).toBe('cn-northwest-1');
  });

  it.each(['stateful$', 'stateless$'] as const)('has no commercial ARN or endpoint literal (%s)', (which) => {
    const found = partitionLiterals(prod[which]);
    expect(found.arns).toEqual([]);
    expect(found.endpoints).toEqual([]);
  });

  it('builds the ARNs it needs from the partition (ARNs are aws-cn or AWS::Partition)', () => {
    const json = JSON.stringify(prod.stateless$.toJSON());
    expect(json).toContain('arn:aws-cn:');
    expect(json).toContain('{"Ref":"AWS::Partition"}');
  });

  it('the scan is real: the commercial stage does contain region-derived arn:aws: literals', () => {
    expect(partitionLiterals(dev.stateless$).arns.length).toBeGreaterThan(0);
  });

  it('uses no service the China regions lack: no Cognito user pool, no Lambda X-Ray, no S3 malware scan', () => {
    for (const template of [prod.stateful$, prod.stateless$]) {
      const types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map(
        (r) => r.Type,
      );
      expect(types.filter((t) => t.startsWith('AWS::Cognito::'))).toEqual([]);
      expect(types).not.toContain('AWS::GuardDuty::MalwareProtectionPlan');
    }
    for (const [id, fn] of Object.entries(resourcesOf(prod.stateless$, 'AWS::Lambda::Function'))) {
      expect(fn.Properties?.TracingConfig, id).toBeUndefined();
    }
  });
});

describe('stage configuration', () => {
  const ctx =
    (values: Record<string, string>) =>
    (key: string): unknown =>
      values[key];

  it('defaults to dev', () => {
    expect(loadStageConfig(ctx({})).stage).toBe('dev');
  });

  it('refuses prod without an external OIDC issuer, naming the settings to pass', () => {
    expect(() => loadStageConfig(ctx({ stage: 'prod' }))).toThrow(
      /-c oidcIssuer=https:\/\/.*-c oidcAudience=/,
    );
    expect(() => loadStageConfig(ctx({ stage: 'prod', oidcIssuer: PROD_OIDC.oidcIssuer }))).toThrow(
      /oidcAudience/,
    );
    expect(loadStageConfig(ctx({ stage: 'prod', ...PROD_OIDC })).identity).toEqual({
      kind: 'oidc',
      issuerUrl: PROD_OIDC.oidcIssuer,
      audience: [PROD_OIDC.oidcAudience],
      jwksUrl: `${PROD_OIDC.oidcIssuer}/.well-known/jwks.json`,
    });
    expect(
      loadStageConfig(ctx({ stage: 'prod', ...PROD_OIDC, oidcJwksUrl: 'https://id.example.gov.cn/certs' }))
        .identity,
    ).toMatchObject({ jwksUrl: 'https://id.example.gov.cn/certs' });
  });

  it('logs notifications in China (no SES there) and e-mails them through SES in dev', () => {
    expect(loadStageConfig(ctx({ stage: 'prod', ...PROD_OIDC })).notifications.channel).toBe('log');
    expect(loadStageConfig(ctx({})).notifications).toMatchObject({
      channel: 'ses',
      from: expect.any(String),
    });
    expect(loadStageConfig(ctx({ notificationChannel: 'log' })).notifications.channel).toBe('log');
    expect(
      loadStageConfig(ctx({ notificationRoleAddresses: 'officer=office@zs.gov.cn' })).notifications
        .roleAddresses,
    ).toEqual({ officer: 'office@zs.gov.cn' });
  });

  it.each([
    [{ stage: 'staging' }, /Unknown stage "staging"/],
    [{ stage: 'Prod!' }, /-c stage: stage must be lowercase/],
    [{ account: '1234' }, /-c account: account must be a 12-digit/],
    [{ alarmEmail: 'ops' }, /-c alarmEmail/],
    [{ allowedOrigins: 'https://console.zs.gov.cn/app' }, /-c allowedOrigins.*bare origin/],
    [{ stage: 'prod', oidcIssuer: 'http://id.example.gov.cn', oidcAudience: 'x' }, /-c oidcIssuer/],
    [
      { stage: 'prod', ...PROD_OIDC, notificationChannel: 'ses', notificationFrom: 'a@zs.gov.cn' },
      /SES is not offered in the China regions/,
    ],
    [{ notificationChannel: 'sms' }, /-c notificationChannel/],
    [{ notificationFrom: 'nobody' }, /-c notificationFrom/],
    [{ notificationRoleAddresses: 'officer=not-an-address' }, /-c notificationRoleAddresses/],
    [{ notificationRoleAddresses: 'mayor=a@zs.gov.cn' }, /-c notificationRoleAddresses/],
  ])('rejects %o with a message naming the setting', (values, message) => {
    expect(() => loadStageConfig(ctx(values as Record<string, string>))).toThrow(message);
  });

  it('applies valid overrides', () => {
    const config = loadStageConfig(
      ctx({
        account: '123456789012',
        alarmEmail: 'ops@zs.gov.cn',
        allowedOrigins: 'https://a.zs.gov.cn, https://b.zs.gov.cn',
      }),
    );
    expect(config.account).toBe('123456789012');
    expect(config.alarmEmail).toBe('ops@zs.gov.cn');
    expect(config.allowedOrigins).toEqual(['https://a.zs.gov.cn', 'https://b.zs.gov.cn']);
  });
});
