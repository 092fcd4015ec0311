import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Reply } from './http-replies.ts';

/**
 * The web consoles (issue 7) under `npm start`: the static build in `web/dist` served at `/console/`
 * by the local HTTP server (same origin as the API, so no CORS), with a `config.json` that points the
 * consoles at this API and the local sign-in (the role picker and `/dev/token`). In AWS the same
 * build is served by CloudFront with the deployed API's address and the hosted sign-in.
 */
export const CONSOLE_PREFIX = '/console/';
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const WEB_ROOT = path.join(REPO_ROOT, 'web');
export const WEB_DIST = path.join(WEB_ROOT, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Newest modification time of the console's sources (to rebuild only when they changed). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds `web/dist` with Vite when it is missing or older than the sources (a few seconds). */
export async function ensureConsoleBuilt(log: (line: string) => void = () => undefined): Promise<string> {
  const index = path.join(WEB_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(WEB_ROOT)) return WEB_DIST;
  log('[console] building the web consoles (vite build)…');
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  return WEB_DIST;
}

/** Serves `/console/…` from `dir`; undefined for any other path. */
export function consoleReply(method: string, urlPath: string, dir: string): Reply | undefined {
  if (urlPath === '/' || urlPath === '/console') {
    return { status: 302, headers: { location: CONSOLE_PREFIX } };
  }
  if (!urlPath.startsWith(CONSOLE_PREFIX) || (method !== 'GET' && method !== 'HEAD')) return undefined;
  const rel = decodeURIComponent(urlPath.slice(CONSOLE_PREFIX.length)) || 'index.html';
  if (rel === 'config.json') {
    const config = { apiUrl: '', auth: { mode: 'local' } };
    return {
      status: 200,
      headers: { 'content-type': TYPES['.json'] as string, 'cache-control': 'no-store' },
      body: Buffer.from(JSON.stringify(config)),
    };
  }
  const file = path.resolve(dir, rel);
  if (!file.startsWith(`${path.resolve(dir)}${path.sep}`) || !existsSync(file) || !statSync(file).isFile()) {
    return {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: Buffer.from('Not found'),
    };
  }
  return {
    status: 200,
    headers: {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': rel === 'index.html' ? 'no-cache' : 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    },
    body: readFileSync(file),
  };
}
