/**
 * `npm run demo:vouchers`: the platform showcase and the compute voucher ledger (Art. 6) driven over HTTP
 * against the RUNNING local system (`npm start` in another terminal):
 * - two recognised platforms (the recognition demo, twice) publish their service catalogues and a case;
 *   the public showcase lists and searches them;
 * - the office creates a voucher programme and allocates quota to both platforms (more than the
 *   unallocated budget is refused);
 * - three enterprises claim vouchers through the platforms, which issue them;
 * - a redemption from a related supplier (the buyer itself) is refused, a proper one is accepted with
 *   its contract, invoice and payment evidence, and the same contract subsidised again is refused;
 * - the office approves the settlements; a voucher left unused expires when the deadline job passes
 *   its expiry;
 * - the supervision report: issued / redeemed / settled / expired per platform and month, the ledger
 *   balance, and the enterprises served per platform and year.
 *
 * Settings: `API_URL` (default http://127.0.0.1:3000). Moves the business clock and leaves it at real
 * time. Works on a fresh or a reused data folder. Exits 1 with the problem body on any unexpected status.
 */
import { pathToFileURL } from 'node:url';
import { pdf, runDemo, uscc } from './demo.ts';
import { DemoClient, DemoStepError, type Json } from './support/demo-client.ts';

const DAY = 86_400_000;

export interface VoucherDemoOptions {
  readonly apiUrl: string;
  readonly log?: (line: string) => void;
}

/** What the journey produced, for the e2e suite. */
export interface VoucherDemoResult {
  readonly programmeId: string;
  readonly platforms: readonly [string, string];
  readonly vouchers: Readonly<Record<'settledA' | 'settledB' | 'expired', string>>;
  readonly refusals: Readonly<Record<string, { status: number; code?: string }>>;
  readonly report: Json;
  readonly publicServices: number;
  readonly subs: Readonly<Record<'officer' | 'hostA' | 'hostB' | 'enterprise1', string>>;
}

export async function runVoucherDemo(options: VoucherDemoOptions): Promise<VoucherDemoResult> {
  const c = new DemoClient(options.apiUrl);
  const print = options.log ?? ((line: string) => console.log(line));
  let stepNo = 0;
  const step = (title: string): void => {
    stepNo += 1;
    print(`\n${String(stepNo).padStart(2, ' ')}. ${title}`);
  };
  const say = (line: string): void => print(`    ${line}`);
  const RUN = Date.now().toString(36);
  print(
    `Zhongshan AI Enablement Platform — showcase and compute vouchers demo (run ${RUN}) against ${c.api}`,
  );

  step('Two recognised platforms (the recognition demo, twice)');
  const a = await runDemo({ apiUrl: c.api, log: () => undefined });
  const b = await runDemo({ apiUrl: c.api, log: () => undefined });
  const platforms: [string, string] = [`p-${a.applicationId}`, `p-${b.applicationId}`];
  await c.resetClock();
  const t0 = await c.clockNow();
  const tk = {
    officer: await c.token(`officer-v-${RUN}`, ['officer']),
    approver: await c.token(`approver-v-${RUN}`, ['approver']),
    observer: await c.token(`observer-v-${RUN}`, ['observer']),
    hostA: await c.token(a.subs.owner, ['applicant']),
    hostB: await c.token(b.subs.owner, ['applicant']),
  };
  say(`platform A ${platforms[0]}, platform B ${platforms[1]}; business time ${t0.toISOString()}`);

  step('Three enterprises register (valid USCC: no manual verification needed)');
  const enterprises: { sub: string; token: string; uscc: string; orgId: string }[] = [];
  for (const n of [1, 2, 3]) {
    const sub = `enterprise-${n}-${RUN}`;
    const token = await c.token(sub, ['applicant']);
    const code = uscc();
    const org = await c.post<{ id: string; verification: { status: string } }>(
      '/v1/organisations',
      {
        name: `中山智造企业${n}（${RUN}）`,
        uscc: code,
        registeredCapitalCny: 5_000_000,
        address: '广东省中山市火炬开发区',
        legalRepresentative: `张${n}`,
        contact: { name: `李${n}`, phone: '0760-8888 0000', email: `e${n}-${RUN}@example.com` },
      },
      token,
    );
    enterprises.push({ sub, token, uscc: code, orgId: org.body.id });
    say(
      `enterprise ${n}: ${code}, organisation ${org.body.id} (verification ${org.body.verification.status})`,
    );
  }
  const [e1, e2, e3] = enterprises as [
    (typeof enterprises)[0],
    (typeof enterprises)[0],
    (typeof enterprises)[0],
  ];

  step('The platforms publish their catalogues and a case (Art. 6(1)–(2))');
  const supplierA = uscc();
  const supplierB = uscc();
  const services: [string, string, string, Json][] = [
    [
      platforms[0],
      tk.hostA,
      'gpu-a800',
      {
        category: 'compute',
        name: `A800 GPU 算力租赁 ${RUN}`,
        provider: '中山算力科技有限公司',
        providerUscc: supplierA,
        unit: 'GPU card-hour',
        priceRangeCny: { min: 8, max: 15 },
        available: true,
      },
    ],
    [
      platforms[0],
      tk.hostA,
      'self-supply',
      {
        category: 'compute',
        name: `企业自有算力 ${RUN}`,
        provider: `中山智造企业1（${RUN}）`,
        providerUscc: e1.uscc,
        unit: 'CPU core-hour',
        priceRangeCny: { min: 1, max: 2 },
        available: true,
      },
    ],
    [
      platforms[0],
      tk.hostA,
      'industrial-llm',
      {
        category: 'model',
        name: `工业大模型订阅 ${RUN}`,
        provider: '中山算力科技有限公司',
        providerUscc: supplierA,
        unit: 'million tokens',
        priceRangeCny: { min: 20, max: 60 },
        available: true,
      },
    ],
    [
      platforms[1],
      tk.hostB,
      'gpu-h20',
      {
        category: 'compute',
        name: `H20 GPU 算力租赁 ${RUN}`,
        provider: '岐江云计算有限公司',
        providerUscc: supplierB,
        unit: 'GPU card-hour',
        priceRangeCny: { min: 6, max: 12 },
        available: true,
      },
    ],
  ];
  for (const [platformId, token, serviceId, body] of services) {
    await c.put(`/v1/platforms/${platformId}/services/${serviceId}`, body, token);
    say(`${platformId} / ${serviceId}: ${String(body.name)} (${String(body.category)})`);
  }
  await c.put(
    `/v1/platforms/${platforms[0]}/cases/mould-inspection`,
    {
      title: `模具表面缺陷视觉检测 ${RUN}`,
      sector: 'manufacturing',
      customerType: 'enterprise',
      outcome: '检出率 99.2%，人工复检减少 70%',
    },
    tk.hostA,
  );
  const found = await c.get<{ items: Json[] }>(
    `/v1/public/services?category=compute&q=${encodeURIComponent(RUN)}`,
  );
  say(`public search "compute ${RUN}": ${found.body.items.length} service(s)`);
  const profile = await c.get<Json>(`/v1/public/platforms/${platforms[0]}`);
  say(`public profile of ${platforms[0]}: ${JSON.stringify(Object.keys(profile.body))}`);

  step('The office creates a voucher programme and allocates quota (Art. 6(3))');
  const programme = await c.post<{ id: string } & Json>(
    '/v1/voucher-programmes',
    {
      name: `2026 年中山市算力券 ${RUN}`,
      budgetCny: 500_000,
      validFrom: t0.toISOString(),
      validUntil: new Date(t0.getTime() + 365 * DAY).toISOString(),
    },
    tk.officer,
  );
  const programmeId = programme.body.id;
  say(`programme ${programmeId}: ${JSON.stringify(programme.body)}`);
  await c.post(
    `/v1/voucher-programmes/${programmeId}/allocations`,
    { platformId: platforms[0], quotaCny: 300_000 },
    tk.officer,
  );
  await c.post(
    `/v1/voucher-programmes/${programmeId}/allocations`,
    { platformId: platforms[1], quotaCny: 150_000 },
    tk.officer,
  );
  const over = await c.post<{ code?: string }>(
    `/v1/voucher-programmes/${programmeId}/allocations`,
    { platformId: platforms[1], quotaCny: 60_000 },
    tk.officer,
    [409],
  );
  say(
    `A 300,000, B 150,000; another 60,000 to B → ${over.status} ${over.body.code} (only 50,000 unallocated)`,
  );

  step('Enterprises claim vouchers through the platforms; the platforms issue them');
  const claimAndIssue = async (e: (typeof enterprises)[0], platformId: string, host: string, cny: number) => {
    const claim = await c.post<{ id: string }>(
      `/v1/platforms/${platformId}/voucher-claims`,
      { programmeId, requestedCny: cny, purpose: '模型训练算力' },
      e.token,
    );
    const issued = await c.post<{ code: string; faceValueCny: number; expiresAt: string } & Json>(
      `/v1/voucher-claims/${claim.body.id}/decision`,
      { decision: 'issue', faceValueCny: cny },
      host,
    );
    const v = (issued.body.voucher as typeof issued.body | undefined) ?? issued.body;
    say(`${e.sub} on ${platformId}: voucher ${v.code}, CNY ${v.faceValueCny}, expires ${v.expiresAt}`);
    return v;
  };
  const v1 = await claimAndIssue(e1, platforms[0], tk.hostA, 50_000);
  const v2 = await claimAndIssue(e2, platforms[0], tk.hostA, 30_000);
  const v3 = await claimAndIssue(e3, platforms[1], tk.hostB, 20_000);
  const v4 = await claimAndIssue(e2, platforms[1], tk.hostB, 40_000);

  step('Platform A files its contract, invoice and payment evidence (the evidence upload path)');
  const evidence = async (platformId: string, token: string, label: string) => {
    const ids: string[] = [];
    for (const kind of ['contract', 'invoice', 'payment']) {
      const up = await c.uploadEvidence(`/v1/platforms/${platformId}/evidence`, token, {
        kind: 'voucher_settlement',
        fileName: `${label}-${kind}.pdf`,
        bytes: pdf(`${label} ${kind} ${RUN}`),
      });
      ids.push(up.evidenceId);
    }
    say(`${label}: contract, invoice, payment → ${ids.join(', ')}`);
    return ids;
  };
  const evA1 = await evidence(platforms[0], tk.hostA, 'A-C001');

  step('Redemptions: a related supplier refused, a proper one accepted, the same contract twice refused');
  const refusals: Record<string, { status: number; code?: string }> = {};
  const redeem = async (code: string, host: string, body: Json, expect: number[] = [201]) => {
    const res = await c.post<{ id: string; code?: string; detail?: string } & Json>(
      `/v1/vouchers/${code}/redemptions`,
      body,
      host,
      expect,
    );
    return res;
  };
  const related = await redeem(
    v1.code,
    tk.hostA,
    {
      supplierUscc: e1.uscc,
      serviceId: 'self-supply',
      contractNo: `C-000-${RUN}`,
      contractAmountCny: 100_000,
      subsidyCny: 20_000,
      evidenceIds: evA1,
    },
    [409, 422],
  );
  refusals.relatedParty = {
    status: related.status,
    ...(related.body.code ? { code: related.body.code } : {}),
  };
  say(`enterprise 1 buys from itself → ${related.status} ${related.body.code}: ${related.body.detail}`);
  const r1 = await redeem(v1.code, tk.hostA, {
    supplierUscc: supplierA,
    serviceId: 'gpu-a800',
    contractNo: `C-001-${RUN}`,
    contractAmountCny: 200_000,
    subsidyCny: 50_000,
    evidenceIds: evA1,
  });
  say(
    `voucher ${v1.code}: contract C-001, CNY 200,000, subsidy 50,000 → redemption ${r1.body.id} (${String(r1.body.status)})`,
  );
  const evA2 = await evidence(platforms[0], tk.hostA, 'A-C001-again');
  const twice = await redeem(
    v2.code,
    tk.hostA,
    {
      supplierUscc: supplierA,
      serviceId: 'gpu-a800',
      contractNo: `C-001-${RUN}`,
      contractAmountCny: 200_000,
      subsidyCny: 30_000,
      evidenceIds: evA2,
    },
    [409, 422],
  );
  refusals.doubleSubsidy = { status: twice.status, ...(twice.body.code ? { code: twice.body.code } : {}) };
  say(
    `voucher ${v2.code} on the same contract C-001 → ${twice.status} ${twice.body.code}: ${twice.body.detail}`,
  );
  const r2 = await redeem(v2.code, tk.hostA, {
    supplierUscc: supplierA,
    serviceId: 'gpu-a800',
    contractNo: `C-002-${RUN}`,
    contractAmountCny: 80_000,
    subsidyCny: 20_000,
    evidenceIds: evA2,
  });
  say(
    `voucher ${v2.code}: contract C-002, CNY 80,000, subsidy 20,000 of 30,000 (the rest returns to the quota) → ${r2.body.id}`,
  );
  const evB = await evidence(platforms[1], tk.hostB, 'B-C101');
  const r4 = await redeem(v4.code, tk.hostB, {
    supplierUscc: supplierB,
    serviceId: 'gpu-h20',
    contractNo: `C-101-${RUN}`,
    contractAmountCny: 150_000,
    subsidyCny: 40_000,
    evidenceIds: evB,
  });
  say(`voucher ${v4.code} on platform B: contract C-101 → ${r4.body.id}`);

  step('The office reviews the settlements and approves the payouts');
  for (const r of [r1, r2, r4]) {
    const s = await c.post<Json>(
      `/v1/redemptions/${r.body.id}/settlement`,
      { decision: 'approve', opinion: '合同、发票、付款凭证齐全，同意拨付' },
      tk.officer,
    );
    say(`redemption ${r.body.id} → ${String(s.body.status)}`);
  }

  step('An unused voucher expires: the clock passes its expiry and the deadline job runs');
  await c.setClock(new Date(Date.parse(v3.expiresAt) + 60_000));
  const job = await c.runDeadlineJob();
  say(`deadline job: ${JSON.stringify(job.byType ?? job)}`);
  const late = await redeem(
    v3.code,
    tk.hostB,
    {
      supplierUscc: supplierB,
      serviceId: 'gpu-h20',
      contractNo: `C-102-${RUN}`,
      contractAmountCny: 50_000,
      subsidyCny: 10_000,
      evidenceIds: evB,
    },
    [409, 422],
  );
  refusals.expired = { status: late.status, ...(late.body.code ? { code: late.body.code } : {}) };
  say(`voucher ${v3.code} redeemed after expiry → ${late.status} ${late.body.code}`);
  await c.resetClock();

  step('The supervision report (officer, approver; observers only what the platforms shared, Art. 11)');
  const report = await c.get<Json>(`/v1/voucher-programmes/${programmeId}/report`, tk.approver);
  for (const line of reportLines(report.body as unknown as SupervisionReport)) say(line);
  const observed = await c.get<Json>(`/v1/voucher-programmes/${programmeId}/report`, tk.observer);
  const withheld = (observed.body.withheld as { platforms?: { platformId: string }[] } | undefined)
    ?.platforms;
  say(
    `an observer sees the totals; per-platform figures withheld without a 'vouchers' sharing consent: ${
      withheld?.map((p) => p.platformId).join(', ') || 'none'
    }`,
  );

  print(`\nDone: programme ${programmeId} issued, redeemed, settled and expired vouchers on two platforms.`);
  return {
    programmeId,
    platforms,
    vouchers: { settledA: v1.code, settledB: v4.code, expired: v3.code },
    refusals,
    report: report.body,
    publicServices: found.body.items.length,
    subs: { officer: `officer-v-${RUN}`, hostA: a.subs.owner, hostB: b.subs.owner, enterprise1: e1.sub },
  };
}

interface MonthRow {
  month: string;
  issuedCny: number;
  issuedCount: number;
  redeemedCny: number;
  redeemedCount: number;
  returnedCny: number;
  settledCny: number;
  settledCount: number;
  expiredCny: number;
  expiredCount: number;
}
interface SupervisionReport {
  totals: Record<string, number>;
  balanced: boolean;
  platforms: { platformId: string; hostName: string; balanced: boolean; months: MonthRow[] }[];
  enterprisesServed: {
    platformId: string;
    year: number;
    count: number;
    committed: number;
    meetsCommitment: boolean;
  }[];
}

/** The report as the office reads it: one row per platform and month, the ledger's buckets, enterprises served. */
function reportLines(r: SupervisionReport): string[] {
  const cny = (n: number) => n.toLocaleString('en-US').padStart(9);
  const cell = (amount: number, count?: number) =>
    `${cny(amount)}${count === undefined ? '    ' : ` (${count})`}`;
  const lines = [
    `${'platform'.padEnd(30)} ${'month'.padEnd(7)}  ${'issued'.padStart(13)}  ${'redeemed'.padStart(13)}  ${'returned'.padStart(9)}  ${'settled'.padStart(13)}  ${'expired'.padStart(13)}`,
  ];
  for (const p of r.platforms) {
    for (const m of p.months) {
      lines.push(
        `${p.platformId.padEnd(30)} ${m.month}  ${cell(m.issuedCny, m.issuedCount)}  ${cell(m.redeemedCny, m.redeemedCount)}  ${cny(m.returnedCny)}  ${cell(m.settledCny, m.settledCount)}  ${cell(m.expiredCny, m.expiredCount)}`,
      );
    }
  }
  const t = r.totals;
  lines.push(
    '',
    `ledger (CNY): budget ${t.budgetCny?.toLocaleString('en-US')} = unallocated ${t.unallocatedCny?.toLocaleString('en-US')} + available ${t.availableCny?.toLocaleString('en-US')} + issued ${t.issuedCny?.toLocaleString('en-US')} + redeemed ${t.redeemedCny?.toLocaleString('en-US')} + settled ${t.settledCny?.toLocaleString('en-US')} + expired ${t.expiredCny?.toLocaleString('en-US')} → ${r.balanced ? 'balanced' : 'NOT BALANCED'}`,
    '',
    'enterprises served (Art. 9(4) commitment):',
  );
  for (const e of r.enterprisesServed.filter((x) => x.count > 0)) {
    lines.push(
      `  ${e.platformId} ${e.year}: ${e.count} of ${e.committed} committed → ${e.meetsCommitment ? 'meets' : 'below'} the commitment`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const api = process.env.API_URL ?? 'http://127.0.0.1:3000';
  try {
    await runVoucherDemo({ apiUrl: api });
  } catch (e) {
    console.error(`\nDEMO FAILED: ${e instanceof DemoStepError ? e.message : (e as Error).stack}`);
    process.exitCode = 1;
  } finally {
    await fetch(`${api.replace(/\/$/, '')}/dev/clock`, { method: 'DELETE' }).catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
