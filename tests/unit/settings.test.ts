import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import { getSettings, putSettings, type Settings, type SettingsDeps } from '../../functions/core/settings.ts';
import { fixedClock } from '../../functions/shared/clock.ts';

/** Art. 14: the policy end date setting (validated in Asia/Shanghai days, audited, version-checked). */
function setup(stored?: Settings, now = '2026-06-10T15:59:59.999Z') {
  const writes: { before?: Settings; after: Settings; audit: AuditEvent }[] = [];
  let current = stored;
  const deps: SettingsDeps = {
    settings: {
      get: async () => current,
      put: async (before, after, audit) => {
        writes.push({ ...(before ? { before } : {}), after, audit });
        current = after;
      },
    },
    clock: fixedClock(now),
    defaultPolicyEndDate: () => '2027-12-31',
  };
  return { deps, writes };
}
const admin = { sub: 'admin', roles: ['admin' as const] };

describe('settings', () => {
  it('the default applies with version 0 until an admin stores one', async () => {
    expect(await getSettings(setup().deps)).toEqual({ policyEndDate: '2027-12-31', version: 0 });
  });

  it.each([
    ['yesterday (Shanghai)', '2026-06-09', 400],
    ['today (Shanghai)', '2026-06-10', 200],
    ['tomorrow', '2026-06-11', 200],
    ['an extension', '2029-12-31', 200],
    ['the last accepted day', '2099-12-31', 200],
    ['past the last accepted day', '2100-01-01', 400],
  ])('policyEndDate %s → %i', async (_l, policyEndDate, status) => {
    const { deps, writes } = setup();
    const run = putSettings(deps, admin, { policyEndDate });
    if (status === 200) {
      expect(await run).toMatchObject({ policyEndDate, version: 1, updatedBy: 'admin' });
      expect(writes[0]?.audit).toMatchObject({
        action: 'settings.changed',
        detail: { policyEndDate: { from: '2027-12-31', to: policyEndDate } },
      });
    } else {
      await expect(run).rejects.toMatchObject({ status: 400 });
      expect(writes).toHaveLength(0);
    }
  });

  it.each([
    [1, 200],
    [0, 409],
    [2, 409],
  ])('version %i against stored version 1 → %i', async (version, status) => {
    const { deps } = setup({ policyEndDate: '2028-12-31', version: 1 });
    const run = putSettings(deps, admin, { policyEndDate: '2029-12-31', version });
    if (status === 200) expect((await run).version).toBe(2);
    else await expect(run).rejects.toMatchObject({ status: 409, code: 'STALE_VERSION' });
  });
});
