import { createHash } from 'node:crypto';
import { DynamoCallStore } from '../../../functions/adapters/call-store.ts';
import { platformItem } from '../../../functions/adapters/platform-store.ts';
import { registry } from '../../../functions/adapters/registry.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../../functions/core/audit.ts';
import type { Platform } from '../../../functions/core/platforms.ts';
import { SHARING_SCOPES } from '../../../functions/core/sharing.ts';
import { withCheckChar } from '../../../functions/core/uscc.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../../support/api-events.ts';

/**
 * Two complete-enough worlds for the authorisation matrix (issue 5, suite 1): owner A and owner B each
 * with an organisation, an application (with declared evidence) in one shared open call, and a platform.
 * Organisations, applications and evidence go through the real handlers; the call and the platforms are
 * written with their stores' item builders (a recognised platform needs the whole review journey, which
 * the journey suites cover) together with an audit event.
 */
export interface World {
  readonly name: 'A' | 'B';
  readonly owner: Caller;
  readonly orgId: string;
  readonly applicationId: string;
  readonly evidenceId: string;
  readonly platformId: string;
  /** Strings only this world's owner and staff may see: a response to anyone else must not contain them. */
  readonly secrets: readonly string[];
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;
const load = async (group: string): Promise<Handler> =>
  (
    (await import(new URL(`../../../functions/api/${group}.ts`, import.meta.url).href)) as {
      handler: Handler;
    }
  ).handler;

export const FIXTURE_NOW = '2026-03-10T02:00:00.000Z';
/** A small valid PDF, different per world (so its SHA-256 is a world's secret). */
const pdf = (name: string): Buffer =>
  Buffer.concat([
    Buffer.from(`%PDF-1.7\n% world ${name}\n`),
    Buffer.alloc(512, 0x41),
    Buffer.from('\n%%EOF\n'),
  ]);

async function ok<T>(what: string, res: { statusCode: number; body?: string }, want: number): Promise<T> {
  if (res.statusCode !== want) throw new Error(`fixture ${what}: ${res.statusCode} ${res.body ?? ''}`);
  return jsonBody<T>(res);
}

/** Seeds the shared open call; returns its id. */
export async function seedCall(): Promise<string> {
  const id = 'CALLAUTHZ1';
  await new DynamoCallStore().create(
    {
      id,
      title: '2026 年人工智能赋能平台认定',
      description: 'Call for recognition',
      opensAt: '2026-03-01T00:00:00.000Z',
      closesAt: '2026-03-31T16:00:00.000Z',
      requiredEvidence: [{ kind: 'business-licence', title: '营业执照', required: true }],
      scoringCriteria: [{ key: 'capability', title: '能力', weight: 1, max: 100 }],
      noticePeriod: { length: 5, unit: 'working_days' },
      status: 'open',
      createdBy: 'officer-authz',
      createdAt: '2026-02-01T00:00:00.000Z',
      updatedAt: '2026-02-01T00:00:00.000Z',
      version: 2,
    },
    auditEvent(new Date(FIXTURE_NOW), SYSTEM_ACTOR, 'call.created', 'call', id),
  );
  return id;
}

/** Seeds one world through the real handlers (organisation, application, evidence) plus its platform. */
export async function seedWorld(
  name: 'A' | 'B',
  callId: string,
  opts: { consent?: boolean } = {},
): Promise<World> {
  const owner: Caller = { sub: `owner-${name.toLowerCase()}`, roles: ['applicant'] };
  const n = name === 'A' ? 1 : 2;
  const email = `secret-${name.toLowerCase()}@contact.example`;
  const phone = `0760-1234000${n}`;
  const orgs = await load('organisations');
  const apps = await load('applications');
  const org = await ok<{ id: string }>(
    `organisation ${name}`,
    await orgs(
      apiEvent('POST /v1/organisations', {
        caller: owner,
        body: {
          name: `中山世界${name}科技有限公司`,
          uscc: withCheckChar(`91442000MA40000${n}X`.slice(0, 17)),
          registeredCapitalCny: 60_000_000,
          address: '广东省中山市东区',
          legalRepresentative: `法人${name}`,
          contact: { name: `联系人${name}`, phone, email },
        },
      }),
      lambdaContext(),
    ),
    201,
  );
  const app = await ok<{ id: string }>(
    `application ${name}`,
    await apps(
      apiEvent('POST /v1/calls/{callId}/applications', {
        caller: owner,
        params: { callId },
        body: {
          consortium: [{ name: '中山大学', kind: 'university' }],
          partners: Array.from({ length: 10 }, (_, i) => ({ name: `合作机构${name}${i}`, kind: 'company' })),
          registeredCapitalCny: 60_000_000,
          committedEnterprisesPerYear: 30,
          capabilities: ['compute scheduling'],
          summary: `世界${name}的算力平台`,
        },
      }),
      lambdaContext(),
    ),
    201,
  );
  const file = pdf(name);
  const sha256 = createHash('sha256').update(file).digest('hex');
  const ticket = await ok<{ evidenceId: string; upload: { url: string; fields: Record<string, string> } }>(
    `evidence ${name}`,
    await apps(
      apiEvent('POST /v1/applications/{id}/evidence', {
        caller: owner,
        params: { id: app.id },
        body: {
          kind: 'business-licence',
          fileName: '营业执照.pdf',
          contentType: 'application/pdf',
          sizeBytes: file.length,
          sha256,
        },
      }),
      lambdaContext(),
    ),
    201,
  );
  // Upload to the presigned POST (s3rver) and confirm, as a browser and the applicant would.
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)], { type: 'application/pdf' }), 'licence.pdf');
  const uploaded = await fetch(ticket.upload.url, { method: 'POST', body: form });
  if (uploaded.status >= 300) throw new Error(`fixture upload ${name}: ${uploaded.status}`);
  await ok(
    `evidence confirm ${name}`,
    await apps(
      apiEvent('POST /v1/applications/{id}/evidence/{evidenceId}/confirm', {
        caller: owner,
        params: { id: app.id, evidenceId: ticket.evidenceId },
      }),
      lambdaContext(),
    ),
    200,
  );
  const platformId = `PLATAUTHZ${name}`;
  const platform = {
    id: platformId,
    applicationId: app.id,
    callId,
    orgId: org.id,
    hostName: `中山世界${name}科技有限公司`,
    uscc: withCheckChar(`91442000MA40000${n}X`.slice(0, 17)),
    summary: 'AI enablement',
    capabilities: ['算力调度'],
    consortium: [],
    status: 'active',
    recognisedAt: '2026-01-01T00:00:00.000Z',
    validUntil: '2027-12-31',
    noticeId: `NOTICEAUTHZ${name}`,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  } as Platform;
  await registry().transact({
    ops: [{ kind: 'put', item: platformItem(platform), ifNew: true }],
    audit: [auditEvent(new Date(FIXTURE_NOW), SYSTEM_ACTOR, 'platform.recognised', 'platform', platformId)],
  });
  if (opts.consent) {
    // Art. 11: world A's owner authorises observers to see its evidence; world B does not.
    await ok(
      `sharing consent ${name}`,
      await (await load('operations'))(
        apiEvent('POST /v1/platforms/{platformId}/sharing-consents', {
          caller: owner,
          params: { platformId },
          body: {
            dataOwner: `中山世界${name}科技有限公司`,
            scope: [...SHARING_SCOPES],
            validUntil: '2027-12-31',
          },
        }),
        lambdaContext(),
      ),
      201,
    );
  }
  return {
    name,
    owner,
    orgId: org.id,
    applicationId: app.id,
    evidenceId: ticket.evidenceId,
    platformId,
    secrets: [email, phone, owner.sub, sha256],
  };
}
