import { z } from 'zod';
import { clock, setClock } from '../../functions/shared/clock.ts';
import { createDevSignIn } from './dev-sign-in.ts';
import { jsonReply, problemReply, type Reply, zodErrors } from './http-replies.ts';
import { type LocalJwtIssuer, TokenRequestSchema } from './jwt-issuer.ts';
import { type LocalScheduler, UnknownJobError } from './scheduler.ts';
import type { LocalWorkflowEngine } from './workflow-engine.ts';

/**
 * The local runtime's own routes, never deployed and not in the route table (so not in the OpenAPI
 * document either):
 *
 * | route | what |
 * |---|---|
 * | `GET /.well-known/jwks.json` | the local issuer's public keys |
 * | `GET /local-issuer/.well-known/openid-configuration` | OpenID discovery for the local issuer |
 * | `POST /dev/token` | `{ sub, groups, email?, expiresInSeconds? }` → `{ token, tokenType, expiresAt, claims }` |
 * | `GET/POST /dev/authorize`, `POST /dev/oauth2/token` | the hosted sign-in's stand-in: code flow with PKCE (`dev-sign-in.ts`) |
 * | `GET /dev/clock` | `{ now, mode, realNow }` |
 * | `POST /dev/clock` | `{ now, mode?: 'offset' \| 'fixed' }` sets the business clock (offset: keeps running) |
 * | `DELETE /dev/clock` | back to real time |
 * | `POST /dev/jobs/{job}/run` | runs a scheduled job now (`deadlines`) → its summary; unknown job → 404 |
 * | `GET /dev/workflows/waiting` | callback tasks the local engine is waiting on |
 * | `GET /dev/workflows/{workflow}/executions/{name}` | an execution: status, input, output or error |
 */

export interface DevRouteDeps {
  readonly issuer: LocalJwtIssuer;
  readonly engine?: LocalWorkflowEngine;
  readonly scheduler?: LocalScheduler;
  readonly log: (line: string) => void;
}

/** Handles a dev route; resolves undefined when the path is not one. */
export type DevRoutes = (
  method: string,
  path: string,
  body: Buffer,
  query?: URLSearchParams,
) => Promise<Reply | undefined>;

type ClockMode = 'real' | 'offset' | 'fixed';

const ClockBody = z
  .object({
    now: z.iso.datetime({
      offset: true,
      error: 'an ISO 8601 instant with offset, e.g. 2026-03-01T09:00:00+08:00',
    }),
    mode: z
      .enum(['offset', 'fixed'])
      .default('offset')
      .describe('offset: time keeps running from `now`; fixed: the clock stands still at `now`'),
  })
  .strict();

/** Builds the dev routes over the runtime's issuer, engine and scheduler. */
export function createDevRoutes(deps: DevRouteDeps): DevRoutes {
  const { issuer, engine, scheduler, log } = deps;
  let clockMode: ClockMode = 'real';
  const clockView = (): Record<string, string> => ({
    now: clock.now().toISOString(),
    mode: clockMode,
    realNow: new Date().toISOString(),
  });

  const signIn = createDevSignIn(issuer);
  return async (
    method: string,
    path: string,
    body: Buffer,
    query = new URLSearchParams(),
  ): Promise<Reply | undefined> => {
    const hosted = await signIn(method, path, query, body);
    if (hosted) return hosted;
    const parseJson = (): { ok: true; value: unknown } | { ok: false; reply: Reply } => {
      if (!body.length) return { ok: true, value: {} };
      try {
        return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
      } catch (e) {
        return {
          ok: false,
          reply: problemReply(
            400,
            'MALFORMED_JSON',
            'The request is not valid',
            `The body is not valid JSON: ${(e as Error).message}`,
            path,
          ),
        };
      }
    };
    const allow = (methods: string[]): Reply | undefined =>
      methods.includes(method)
        ? undefined
        : problemReply(
            405,
            'METHOD_NOT_ALLOWED',
            'Method not allowed',
            `${path} accepts ${methods.join(', ')}.`,
            path,
            {
              headers: { allow: methods.join(', ') },
            },
          );

    if (path === '/.well-known/jwks.json') return allow(['GET']) ?? jsonReply(200, issuer.jwks());
    if (path === '/local-issuer/.well-known/openid-configuration') {
      const base = issuer.issuer.replace(/\/local-issuer$/, '');
      return allow(['GET']) ?? jsonReply(200, issuer.openIdConfiguration(`${base}/.well-known/jwks.json`));
    }
    if (path === '/dev/token') {
      const refused = allow(['POST']);
      if (refused) return refused;
      const json = parseJson();
      if (!json.ok) return json.reply;
      const parsed = TokenRequestSchema.safeParse(json.value);
      if (!parsed.success) {
        return problemReply(
          400,
          'VALIDATION_FAILED',
          'The request is not valid',
          'POST /dev/token wants { sub, groups: [roles], email?, expiresInSeconds? }.',
          path,
          {
            errors: zodErrors(parsed.error, 'body'),
          },
        );
      }
      const issued = await issuer.sign(parsed.data);
      return jsonReply(200, {
        token: issued.token,
        tokenType: 'Bearer',
        expiresAt: issued.expiresAt,
        claims: issued.claims,
      });
    }
    if (path === '/dev/clock') {
      const refused = allow(['GET', 'POST', 'DELETE']);
      if (refused) return refused;
      if (method === 'POST') {
        const json = parseJson();
        if (!json.ok) return json.reply;
        const parsed = ClockBody.safeParse(json.value);
        if (!parsed.success) {
          return problemReply(
            400,
            'VALIDATION_FAILED',
            'The request is not valid',
            'POST /dev/clock wants { now: <ISO instant>, mode?: "offset" | "fixed" }.',
            path,
            {
              errors: zodErrors(parsed.error, 'body'),
            },
          );
        }
        setClock(new Date(parsed.data.now), parsed.data.mode);
        clockMode = parsed.data.mode;
        engine?.checkTimeouts();
      } else if (method === 'DELETE') {
        setClock(undefined);
        clockMode = 'real';
        engine?.checkTimeouts();
      }
      return jsonReply(200, clockView());
    }
    const job = /^\/dev\/jobs\/([^/]+)\/run$/.exec(path);
    if (job?.[1]) {
      const refused = allow(['POST']);
      if (refused) return refused;
      const name = decodeURIComponent(job[1]);
      if (!scheduler)
        return problemReply(404, 'JOB_NOT_FOUND', 'Not found', 'This server has no scheduler.', path);
      try {
        return jsonReply(200, (await scheduler.runNow(name)) ?? null);
      } catch (e) {
        if (e instanceof UnknownJobError)
          return problemReply(404, 'JOB_NOT_FOUND', 'Not found', e.message, path);
        log(`[dev] job ${name} failed: ${(e as Error).stack ?? String(e)}`);
        return problemReply(
          500,
          'JOB_FAILED',
          'The job failed',
          `${name} failed: ${(e as Error).message}`,
          path,
        );
      }
    }
    if (path === '/dev/workflows/waiting') {
      const refused = allow(['GET']);
      if (refused) return refused;
      return jsonReply(200, { items: engine ? await engine.listWaiting() : [] });
    }
    const exec = /^\/dev\/workflows\/([^/]+)\/executions\/([^/]+)$/.exec(path);
    if (exec?.[1] && exec[2]) {
      const refused = allow(['GET']);
      if (refused) return refused;
      const [workflow, name] = [decodeURIComponent(exec[1]), decodeURIComponent(exec[2])];
      const found = engine ? await engine.describeExecution(workflow, name) : undefined;
      return found
        ? jsonReply(200, found)
        : problemReply(
            404,
            'EXECUTION_NOT_FOUND',
            'Not found',
            `No execution ${name} of workflow ${workflow}.`,
            path,
          );
    }
    if (path === '/dev' || path.startsWith('/dev/')) {
      return problemReply(404, 'ROUTE_NOT_FOUND', 'Not found', `No local route ${method} ${path}.`, path);
    }
    return undefined;
  };
}
