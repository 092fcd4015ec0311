import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importJWK, type JWK, SignJWT } from 'jose';
import { freePort } from '../../../infra/local/services.ts';

/**
 * Starts the local runtime exactly as `npm start` does (`tsx infra/local/start.ts`) as a child
 * process, with its own data folder and free ports, waits for its `READY <url>` line, and stops it
 * with a signal, reporting the exit code. The periodic deadline job is off (the tests run it on demand,
 * so a tick cannot act between two steps of a test).
 */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');

export interface Ports {
  readonly http: number;
  readonly dynamo: number;
  readonly s3: number;
}

export interface RunningRuntime {
  readonly url: string;
  readonly dataDir: string;
  readonly ports: Ports;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  /** Reuse a data folder (a restart); default: a new temporary one. */
  readonly dataDir?: string;
  /** Reuse ports (a restart keeps the issuer URL, so tokens stay valid). */
  readonly ports?: Ports;
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

export const newDataDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'zs-e2e-'));
export const removeDataDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

export async function pickPorts(): Promise<Ports> {
  return { http: await freePort(), dynamo: await freePort(), s3: await freePort() };
}

/** Spawns the runtime; resolves with the child once it printed READY, rejects with its output if it exits. */
export function spawnRuntime(opts: StartOptions & { dataDir: string; ports: Ports }): {
  child: ChildProcess;
  ready: Promise<string>;
  output: () => string;
} {
  let output = '';
  const child = spawn(process.execPath, [TSX_CLI, 'infra/local/start.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(opts.ports.http),
      DYNAMODB_PORT: String(opts.ports.dynamo),
      S3_PORT: String(opts.ports.s3),
      DATA_DIR: opts.dataDir,
      DEADLINE_JOB_EVERY_SECONDS: '0',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a forced cleanup reaches the launcher and the runtime under it.
    detached: true,
  });
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no READY line within ${opts.readyTimeoutMs ?? 60_000} ms:\n${output}`)),
      opts.readyTimeoutMs ?? 60_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /^READY (\S+)$/m.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited (code ${code}, signal ${signal}) before READY:\n${output}`));
    });
  });
  ready.catch(() => {});
  return { child, ready, output: () => output };
}

/** Last resort: SIGKILL the launcher's whole process group. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

export async function startRuntime(opts: StartOptions = {}): Promise<RunningRuntime> {
  const dataDir = opts.dataDir ?? newDataDir();
  const ports = opts.ports ?? (await pickPorts());
  const { child, ready, output } = spawnRuntime({ ...opts, dataDir, ports });
  let url: string;
  try {
    url = await ready;
  } catch (e) {
    killGroup(child);
    throw e;
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    url,
    dataDir,
    ports,
    output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return { code: child.exitCode, signal: child.signalCode };
      }
      child.kill(signal);
      const timer = setTimeout(() => killGroup(child), 30_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A small HTTP client for the runtime: JSON in, JSON (or problem+json) out. */
export function client(url: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    p: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
  };
  return {
    get: <T = Record<string, unknown>>(p: string, token?: string) =>
      call<T>('GET', p, token ? { token } : {}),
    post: <T = Record<string, unknown>>(
      p: string,
      body: unknown,
      opts: { token?: string; headers?: Record<string, string> } = {},
    ) => call<T>('POST', p, { ...opts, body }),
    call,
    /** A token for `sub` in `groups` from `POST /dev/token`. */
    token: async (sub: string, groups: string[]): Promise<string> => {
      const res = await call<{ token: string }>('POST', '/dev/token', {
        body: { sub, groups, email: `${sub}@example.com` },
      });
      if (res.status !== 200) throw new Error(`POST /dev/token → ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.token;
    },
  };
}

/** Signs a token with the runtime's own private key (from its data folder), to forge bad claims. */
export async function signWithRuntimeKey(
  dataDir: string,
  claims: Record<string, unknown>,
  header: { alg?: string; kid?: string } = {},
): Promise<string> {
  const stored = JSON.parse(readFileSync(path.join(dataDir, 'issuer', 'signing-key.json'), 'utf8')) as {
    kid: string;
    privateJwk: JWK;
  };
  const key = await importJWK(stored.privateJwk, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid ?? stored.kid }).sign(key);
}

/** Polls `probe` until it returns a value (not undefined/false); fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
