/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`). Select the stage with `-c stage=<dev|prod>`;
 * see `infra/config.ts` for the settings and the context overrides. cdk-nag (AwsSolutions and
 * Serverless packs) runs on every synth; an unacknowledged finding fails it.
 */
import { StageConfigError } from './config.ts';
import { createApp } from './stacks/index.ts';

try {
  createApp().app.synth();
} catch (error) {
  if (!(error instanceof StageConfigError)) throw error;
  console.error(`\n${error.message}\n`);
  process.exit(1);
}
