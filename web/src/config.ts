/**
 * Run-time configuration, read from `config.json` next to `index.html`: one build for every place.
 * - `apiUrl`: the HTTP API's base URL ('' = the same origin, as under `npm start`);
 * - `auth.mode`: `local` (the local issuer's `/dev/token`, with a role picker) or `cognito` (the hosted
 *   sign-in page) or `oidc` (an external issuer): `authorizeUrl`, `tokenUrl`, `clientId`; the
 *   authorization code flow with PKCE (`session.ts`).
 */
export interface ConsoleConfig {
  readonly apiUrl: string;
  readonly auth:
    | { readonly mode: 'local' }
    | {
        readonly mode: 'cognito' | 'oidc';
        readonly authorizeUrl: string;
        /** The token endpoint that redeems the authorization code (PKCE, no client secret). */
        readonly tokenUrl: string;
        readonly clientId: string;
        readonly logoutUrl?: string;
      };
}

let config: ConsoleConfig = { apiUrl: '', auth: { mode: 'local' } };

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (res.ok) config = (await res.json()) as ConsoleConfig;
  return config;
}

export const currentConfig = (): ConsoleConfig => config;
