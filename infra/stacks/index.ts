import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadStageConfig, type StageConfig, StageConfigError } from '../config.ts';
import { type ConsoleAuth, warnConsoleSkipped } from '../constructs/web-console.ts';
import { StatefulStack } from './stateful.ts';
import { StatelessStack } from './stateless.ts';
import { WebContentStack, WebStack } from './web.ts';

export interface ZsAiApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  /** The consoles' site; absent where the stage cannot serve it (China without an ICP domain). */
  readonly web?: WebStack;
  /** The consoles' build and `config.json`, deployed last (needs the API's URL); with `web`. */
  readonly webContent?: WebContentStack;
}

export interface CreateAppOptions {
  /** Passed to `new App(...)`; tests pass context (stage, bundling) and an outdir here. */
  readonly appProps?: AppProps;
  /** Register the cdk-nag AwsSolutions and Serverless packs (default true, as `cdk synth` runs them). */
  readonly nag?: boolean;
}

/** The cdk-nag packs every synth runs; findings are acknowledged next to the resources they concern. */
export const nagPacks = (app: App): [AwsSolutionsChecks, ServerlessChecks] => [
  new AwsSolutionsChecks(app, { verbose: true }),
  new ServerlessChecks(app, { verbose: true }),
];

/**
 * Builds the stacks of one stage, in deployment order: `ZsAi-<stage>-Web` (the consoles' site, where
 * the stage serves it), `ZsAi-<stage>-Stateful`, `ZsAi-<stage>-Stateless`, `ZsAi-<stage>-WebContent`
 * (the consoles' build and `config.json`).
 * Stacks are region-specific (the partition, China or not, follows from the region) and
 * account-agnostic unless the stage or `-c account=` names one, so `cdk synth` needs no credentials.
 */
export function createApp(options: CreateAppOptions = {}): ZsAiApp {
  const app = new App(options.appProps);
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const env = { region: config.region, ...(config.account ? { account: config.account } : {}) };

  const web = config.console.enabled
    ? new WebStack(app, `ZsAi-${config.stage}-Web`, {
        env,
        config,
        description: `Zhongshan AI platform (${config.stage}): web consoles' site (S3 + CloudFront)`,
      })
    : undefined;
  const stateful = new StatefulStack(app, `ZsAi-${config.stage}-Stateful`, {
    env,
    config,
    ...(web ? { consoleOrigin: web.site.origin } : {}),
    description: `Zhongshan AI platform (${config.stage}): registry table, evidence bucket, keys, users — retained`,
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, `ZsAi-${config.stage}-Stateless`, {
    env,
    config,
    data: { table: stateful.table, evidenceBucket: stateful.evidenceBucket, dataKey: stateful.dataKey },
    jwtIssuer: stateful.jwtIssuer,
    ...(web ? { consoleOrigin: web.site.origin } : {}),
    description: `Zhongshan AI platform (${config.stage}): API, functions, workflows, schedule, alarms`,
  });
  stateless.addStackDependency(stateful);
  if (!web && config.console.skippedBecause) warnConsoleSkipped(stateless, config.console.skippedBecause);
  const webContent = web
    ? new WebContentStack(app, `ZsAi-${config.stage}-WebContent`, {
        env,
        config,
        site: web.site,
        apiUrl: stateless.api.apiEndpoint,
        auth: consoleAuth(config, stateful),
        logKey: stateless.opsKey,
        alarmTopic: stateless.alarmTopic,
        description: `Zhongshan AI platform (${config.stage}): web consoles' build and config.json`,
      })
    : undefined;

  Tags.of(app).add('project', 'zs-ai-platform');
  Tags.of(app).add('stage', config.stage);
  Tags.of(stateful).add('data-classification', 'personal-information');

  if (options.nag ?? true) Validations.of(app).addPlugins(...nagPacks(app));
  return { app, config, stateful, stateless, ...(web && webContent ? { web, webContent } : {}) };
}

/** The consoles' sign-in: Cognito's hosted UI where the stage has a user pool, else the external issuer. */
function consoleAuth(config: StageConfig, stateful: StatefulStack): ConsoleAuth {
  if (stateful.hostedSignIn) return { mode: 'cognito', ...stateful.hostedSignIn };
  if (config.identity.kind !== 'oidc' || !config.console.authorizeUrl || !config.console.tokenUrl) {
    throw new StageConfigError(
      `Stage ${config.stage}: the consoles have no sign-in (no user pool, no OIDC issuer)`,
    );
  }
  return {
    mode: 'oidc',
    authorizeUrl: config.console.authorizeUrl,
    tokenUrl: config.console.tokenUrl,
    clientId: config.identity.audience[0] as string,
  };
}
