import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVoucherDemo, type VoucherDemoResult } from '../../scripts/demo-vouchers.ts';
import { client, type RunningRuntime, removeDataDir, startRuntime } from './support/runtime.ts';

/**
 * Issue 6 end to end (Art. 6) over HTTP against `npm start`'s runtime: the voucher demo (two recognised
 * platforms publish catalogues and a case → a programme with quotas → claims issued → a related-party
 * redemption and a double subsidy refused → settlements approved → an unused voucher expired by the
 * deadline job → the supervision report), then what the public may and may not see.
 */
let rt: RunningRuntime;
let api: ReturnType<typeof client>;
let journey: VoucherDemoResult;
const lines: string[] = [];

beforeAll(async () => {
  rt = await startRuntime();
  api = client(rt.url);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) removeDataDir(rt.dataDir);
});

describe('the voucher journey (npm run demo:vouchers)', () => {
  it('issues, redeems, settles and expires vouchers across two platforms, refusing what the rules refuse', async () => {
    // Act
    journey = await runVoucherDemo({ apiUrl: rt.url, log: (line) => lines.push(line) });

    // Assess
    expect(journey.refusals.relatedParty).toEqual({ status: 409, code: 'RELATED_PARTY' });
    expect(journey.refusals.doubleSubsidy).toEqual({ status: 409, code: 'CONTRACT_ALREADY_SUBSIDISED' });
    expect(journey.refusals.expired?.status).toBe(409);
    expect(journey.publicServices).toBe(3); // the three compute services of the demo (model and hidden ones excluded)
    expect(JSON.stringify(journey.report)).toContain(journey.platforms[0]);
    expect(JSON.stringify(journey.report)).toContain(journey.platforms[1]);
    expect((journey.report as { balanced?: boolean }).balanced).toBe(true);
  }, 240_000);

  it('shows the public no hidden reason, contact data or ledger', async () => {
    const profile = await api.get<Record<string, unknown>>(`/v1/public/platforms/${journey.platforms[0]}`);
    expect(profile.status).toBe(200);
    const text = JSON.stringify(profile.body);
    expect(text).not.toMatch(/contact|email|phone|ownerSub|hiddenReason/i);
    const report = await api.get(`/v1/voucher-programmes/${journey.programmeId}/report`);
    expect(report.status).toBe(401);
  });
});
