import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools singletons, configured by the standard `POWERTOOLS_*` variables (CDK sets them on every
 * function). Outside Lambda they stay quiet: the tracer disables itself when `AWS_EXECUTION_ENV` is
 * absent, metrics are disabled unless `POWERTOOLS_METRICS_DISABLED` says otherwise, and the logger
 * defaults to WARN.
 */
const inLambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);
if (!inLambda && process.env.POWERTOOLS_METRICS_DISABLED === undefined) {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
}

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'zs-ai-platform';

export const logger = new Logger({
  serviceName,
  ...(process.env.POWERTOOLS_LOG_LEVEL ? {} : { logLevel: inLambda ? 'INFO' : 'WARN' }),
});

export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ZsAiPlatform',
});

export const tracer = new Tracer({ serviceName });
