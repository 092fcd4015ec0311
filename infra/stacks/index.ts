import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadStageConfig, type StageConfig } from '../config.ts';
import { StatefulStack } from './stateful.ts';
import { StatelessStack } from './stateless.ts';

export interface ZsAiApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
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
 * Builds the two stacks of one stage. Stack names: `ZsAi-<stage>-Stateful` and `ZsAi-<stage>-Stateless`.
 * Stacks are region-specific (the partition, China or not, follows from the region) and
 * account-agnostic unless the stage or `-c account=` names one, so `cdk synth` needs no credentials.
 */
export function createApp(options: CreateAppOptions = {}): ZsAiApp {
  const app = new App(options.appProps);
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const env = { region: config.region, ...(config.account ? { account: config.account } : {}) };

  const stateful = new StatefulStack(app, `ZsAi-${config.stage}-Stateful`, {
    env,
    config,
    description: `Zhongshan AI platform (${config.stage}): registry table, evidence bucket, keys, users — retained`,
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, `ZsAi-${config.stage}-Stateless`, {
    env,
    config,
    data: { table: stateful.table, evidenceBucket: stateful.evidenceBucket, dataKey: stateful.dataKey },
    jwtIssuer: stateful.jwtIssuer,
    description: `Zhongshan AI platform (${config.stage}): API, functions, workflows, schedule, alarms`,
  });
  stateless.addStackDependency(stateful);

  Tags.of(app).add('project', 'zs-ai-platform');
  Tags.of(app).add('stage', config.stage);
  Tags.of(stateful).add('data-classification', 'personal-information');

  if (options.nag ?? true) Validations.of(app).addPlugins(...nagPacks(app));
  return { app, config, stateful, stateless };
}
