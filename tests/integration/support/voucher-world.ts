import { expect } from 'vitest';
import { platformEvidenceKey } from '../../../functions/adapters/platform-evidence-store.ts';
import { platformItem } from '../../../functions/adapters/platform-store.ts';
import { registry } from '../../../functions/adapters/registry.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../../functions/core/audit.ts';
import { serviceKey } from '../../../functions/core/catalogue-model.ts';
import type { Platform } from '../../../functions/core/platforms.ts';
import { withCheckChar } from '../../../functions/core/uscc.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../../support/api-events.ts';

/**
 * A world for the voucher ledger suites (Art. 6(3)): host organisations with recognised platforms (as the
 * notice close writes them), enterprises registered through the real organisation handler, compute
 * services in the catalogues and verified settlement evidence (as the catalogue and evidence routes
 * leave them; those routes have their own suites).
 */
type Res = { statusCode: number; body?: string };
type Handler = (e: unknown, c: unknown) => Promise<Res>;
const load = async (group: string): Promise<Handler> =>
  (
    (await import(new URL(`../../../functions/api/${group}.ts`, import.meta.url).href)) as {
      handler: Handler;
    }
  ).handler;

let seq = 0;
/** A valid Zhongshan USCC (region 442000, correct check character), unique per call in this process. */
export function zsUscc(): string {
  seq += 1;
  return withCheckChar(`91442000MA${String(700_000 + seq)}X`);
}

export const officer: Caller = { sub: 'voucher-officer', roles: ['officer'] };
export const approver: Caller = { sub: 'voucher-approver', roles: ['approver'] };
export const observer: Caller = { sub: 'voucher-observer', roles: ['observer'] };

/** Calls a vouchers route through the real handler. */
export async function vouchersApi(
  routeKey: string,
  caller: Caller | undefined,
  opts: {
    params?: Record<string, string>;
    body?: unknown;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const h = await load('vouchers');
  const res = await h(
    apiEvent(routeKey, { ...(caller ? { caller } : {}), ...opts }),
    lambdaContext('api-vouchers'),
  );
  return { status: res.statusCode, body: res.body ? jsonBody<Record<string, unknown>>(res) : {} };
}

/** Registers an organisation for `me` through the real handler; returns its id and USCC. */
export async function enterprise(me: Caller, uscc = zsUscc()): Promise<{ orgId: string; uscc: string }> {
  const orgs = await load('organisations');
  const res = await orgs(
    apiEvent('POST /v1/organisations', {
      caller: me,
      body: {
        name: `中山企业${me.sub}有限公司`,
        uscc,
        registeredCapitalCny: 5_000_000,
        address: '广东省中山市火炬开发区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-88880000', email: `${me.sub}@example.cn` },
      },
    }),
    lambdaContext(),
  );
  expect(res.statusCode, res.body).toBe(201);
  return { orgId: jsonBody<{ id: string }>(res).id, uscc };
}

export interface VoucherPlatform {
  readonly id: string;
  readonly host: Caller;
  readonly uscc: string;
  readonly consortiumUscc: string;
  readonly supplierUscc: string;
  readonly evidenceIds: readonly string[];
}

/**
 * A recognised platform hosted by a fresh organisation, with a consortium member, a compute service
 * `gpu` supplied by an independent supplier, a hidden compute service `hidden-gpu`, a model service
 * `llm`, a compute service `consortium-gpu` supplied by the consortium member, and three verified
 * evidence files (contract, invoice, payment).
 */
export async function voucherPlatform(name: string, at: string): Promise<VoucherPlatform> {
  const host: Caller = { sub: `host-${name}`, roles: ['applicant'] };
  const { orgId, uscc } = await enterprise(host);
  const id = `p-v${name}`;
  const consortiumUscc = zsUscc();
  const supplierUscc = zsUscc();
  const platform = {
    id,
    applicationId: `a-${name}`,
    callId: 'c-v',
    orgId,
    hostName: `中山${name}赋能平台有限公司`,
    uscc,
    summary: '算力服务',
    capabilities: ['算力调度'],
    consortium: [{ name: '中山联合体成员', uscc: consortiumUscc, kind: 'company' }],
    status: 'active',
    recognisedAt: at,
    validUntil: '2027-12-31',
    noticeId: `n-${name}`,
    createdAt: at,
    updatedAt: at,
    version: 1,
  } as Platform;
  const service = (serviceId: string, category: string, providerUscc: string, hidden = false) => ({
    ...serviceKey(id, serviceId),
    type: 'catalogue-service',
    platformId: id,
    serviceId,
    category,
    name: `${serviceId} service`,
    provider: '供应商',
    providerUscc,
    unit: 'GPU card-hour',
    priceRangeCny: { min: 5, max: 10 },
    available: true,
    ...(hidden ? { hidden: { reason: 'misleading', by: 'officer', at } } : {}),
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  const evidenceIds = ['contract', 'invoice', 'payment'].map((k) => `ev${name}${k}`);
  await registry().transact({
    ops: [
      { kind: 'put', item: platformItem(platform), ifNew: true },
      { kind: 'put', item: service('gpu', 'compute', supplierUscc), ifNew: true },
      { kind: 'put', item: service('hidden-gpu', 'compute', supplierUscc, true), ifNew: true },
      { kind: 'put', item: service('llm', 'model', supplierUscc), ifNew: true },
      { kind: 'put', item: service('consortium-gpu', 'compute', consortiumUscc), ifNew: true },
      ...evidenceIds.map((evidenceId, i) => ({
        kind: 'put' as const,
        item: {
          ...platformEvidenceKey(id, evidenceId),
          type: 'platform-evidence',
          platformId: id,
          evidenceId,
          kind: ['contract', 'invoice', 'payment'][i] as string,
          fileName: `${evidenceId}.pdf`,
          contentType: 'application/pdf',
          sizeBytes: 1024,
          sha256: 'a'.repeat(64),
          status: 'verified',
          createdAt: at,
          createdBy: host.sub,
          uploadExpiresAt: at,
          verifiedAt: at,
          version: 2,
        },
        ifNew: true,
      })),
    ],
    audit: [auditEvent(new Date(at), SYSTEM_ACTOR, 'platform.recognised', 'platform', id)],
  });
  return { id, host, uscc, consortiumUscc, supplierUscc, evidenceIds };
}
