import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './api-gateway-event.ts';

/**
 * The local stand-in for the Lambda runtime: loads handler modules by their repository path (the
 * same entries CDK bundles) and builds the `Context` object Lambda passes as the second argument.
 */

export type LambdaHandler = (event: unknown, context: Context) => unknown;

/** The repository root (two levels above `infra/local/`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const cache = new Map<string, Promise<LambdaHandler>>();

/**
 * Imports `entry` (a path relative to the repository root, e.g. `functions/api/organisations.ts`) once
 * and returns its exported `handler`. A module that fails to load is not cached, so the next call
 * reports the error again instead of a stale success.
 */
export function loadHandler(entry: string, exportName = 'handler'): Promise<LambdaHandler> {
  const cached = cache.get(entry);
  if (cached) return cached;
  const loading = (async (): Promise<LambdaHandler> => {
    const file = path.resolve(REPO_ROOT, entry);
    if (!existsSync(file)) throw new Error(`Handler module ${entry} does not exist (looked for ${file}).`);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`Handler module ${entry} failed to load: ${(e as Error).message}`, { cause: e });
    }
    const fn = mod[exportName];
    if (typeof fn !== 'function')
      throw new Error(`Handler module ${entry} does not export a function "${exportName}".`);
    return fn as LambdaHandler;
  })();
  cache.set(entry, loading);
  loading.catch(() => cache.delete(entry));
  return loading;
}

export interface ContextOptions {
  readonly functionName: string;
  readonly requestId: string;
  /** The function's timeout; `getRemainingTimeInMillis` counts down from it. */
  readonly timeoutMs: number;
  readonly region?: string;
  readonly memoryMb?: number;
}

const callbackStyle = (): never => {
  throw new Error('Callback-style completion is not supported: return a promise from the handler.');
};

/** A Lambda `Context` for one invocation. */
export function lambdaContext(opts: ContextOptions): Context {
  const deadline = Date.now() + opts.timeoutMs;
  const region = opts.region ?? process.env.AWS_REGION ?? 'cn-north-1';
  const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws';
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: opts.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:${partition}:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${opts.functionName}`,
    memoryLimitInMB: String(opts.memoryMb ?? 1024),
    awsRequestId: opts.requestId,
    logGroupName: `/aws/lambda/${opts.functionName}`,
    logStreamName: `${day}/[$LATEST]${opts.requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: callbackStyle,
    fail: callbackStyle,
    succeed: callbackStyle,
  };
}
