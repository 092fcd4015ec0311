import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Powertools singletons, configured by the standard `POWERTOOLS_*` variables (CDK sets them on every
 * function). Outside Lambda they stay quiet: metrics are disabled unless `POWERTOOLS_METRICS_DISABLED`
 * says otherwise, and the logger defaults to WARN.
 *
 * No Powertools Tracer (issue 8): it bundles aws-xray-sdk-core (with semver and cls-hooked, ~125 KB
 * minified, about a sixth of a function's bundle) and loads it on every cold start, for per-call X-Ray
 * subsegments of SDK calls and a handler subsegment. Lambda active tracing stays on where the partition
 * offers it (AppFunction), so each invocation still has its trace and segments (initialisation,
 * invocation, overhead); what is no longer traced is the time of each DynamoDB, S3 and Step Functions
 * call inside it (the logs and metrics still carry errors and timings).
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

/**
 * Powertools Metrics warns on every invocation that records no business metric ("No application
 * metrics to publish"): most requests record none, so that would be a WARN line per request in
 * CloudWatch Logs (paid per GB) and noise in every test run. Its other messages go to our logger.
 */
const EMPTY_METRICS_WARNING = 'No application metrics to publish';
const text = (content: unknown[]): string => content.map(String).join(' ');
const metricsLogger = {
  debug: (...content: unknown[]) => logger.debug(text(content)),
  info: (...content: unknown[]) => logger.info(text(content)),
  warn: (...content: unknown[]) => {
    if (!text(content).startsWith(EMPTY_METRICS_WARNING)) logger.warn(text(content));
  },
  error: (...content: unknown[]) => logger.error(text(content)),
};

export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ZsAiPlatform',
  logger: metricsLogger,
});
