import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp, type ZsAiApp } from '../../../infra/stacks/index.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/** The feature flags of `cdk.json`, so in-process synths behave like `cdk synth`. */
export const cdkJsonContext = (): Record<string, unknown> => {
  const parsed: unknown = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('context' in parsed)) return {};
  const { context } = parsed;
  return typeof context === 'object' && context !== null ? { ...context } : {};
};

/** A stand-in external OIDC issuer for the China stage (prod needs one: no Cognito user pools there). */
export const PROD_OIDC = {
  oidcIssuer: 'https://id.example.gov.cn/realms/zs-ai',
  oidcAudience: 'zs-ai-consoles',
};

export interface Synthesised extends ZsAiApp {
  readonly stateful$: Template;
  readonly stateless$: Template;
  /** The consoles' site stack, where the stage deploys the consoles. */
  readonly web$?: Template;
  /** The consoles' build deployment stack, with `web$`. */
  readonly webContent$?: Template;
  /** The cloud assembly directory (templates and `validation-report.json`); removed by `cleanup`. */
  readonly outdir: string;
  cleanup(): void;
}

/**
 * Synthesises one stage in-process, without bundling the Lambda code (context
 * `aws:cdk:bundling-stacks: []`), so a file's `beforeAll` takes seconds.
 */
export function synthStage(
  stage: 'dev' | 'prod',
  options: {
    nag?: boolean;
    context?: Record<string, unknown>;
    /** Adds constructs before synthesis (e.g. a probe function). */
    extend?: (built: ZsAiApp) => void;
  } = {},
): Synthesised {
  const outdir = mkdtempSync(path.join(tmpdir(), `zs-ai-cdk-${stage}-`));
  const built = createApp({
    nag: options.nag ?? false,
    appProps: {
      outdir,
      context: {
        ...cdkJsonContext(),
        'aws:cdk:bundling-stacks': [],
        stage,
        ...(stage === 'prod' ? PROD_OIDC : {}),
        ...options.context,
      },
    },
  });
  options.extend?.(built);
  built.app.synth();
  return {
    ...built,
    outdir,
    stateful$: Template.fromStack(built.stateful),
    stateless$: Template.fromStack(built.stateless),
    ...(built.web ? { web$: Template.fromStack(built.web) } : {}),
    ...(built.webContent ? { webContent$: Template.fromStack(built.webContent) } : {}),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** A China console domain and its IAM server certificate id (prod builds the consoles' site only with both). */
export const PROD_CONSOLE = {
  consoleDomain: 'ai-platform.zs.gov.cn',
  consoleCertificateId: 'ASCAEXAMPLECERTIFICATE1',
};

/** A template resource; `Properties` is always present (empty when the template has none). */
export interface TemplateResource {
  readonly Properties: Record<string, unknown>;
}

/** A template's resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, TemplateResource> {
  const found = template.findResources(type) as Record<string, { Properties?: Record<string, unknown> }>;
  return Object.fromEntries(Object.entries(found).map(([id, r]) => [id, { Properties: r.Properties ?? {} }]));
}

/** A Lambda function resource's environment variables. */
export function envOf(fn: TemplateResource): Record<string, unknown> {
  const env = fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined;
  return env?.Variables ?? {};
}
