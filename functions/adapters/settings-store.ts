import type { AuditEvent } from '../core/audit.ts';
import { currentPolicyEndDate, type Settings, type SettingsRepo } from '../core/settings.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { StaleVersionError } from '../shared/errors.ts';
import { type Registry, registry, type TxOp } from './registry.ts';
import { planPolicyEnd } from './revocation-store.ts';

/** The settings item (Art. 14): `SETTINGS` / `SETTINGS`. */
export const SETTINGS_KEY = { pk: 'SETTINGS', sk: 'SETTINGS' } as const;

export class DynamoSettingsStore implements SettingsRepo {
  constructor(
    private readonly reg: Registry = registry(),
    /** The ops that move the deadline job's `policy-end` entry with the date (the revocation module's). */
    private readonly plan: (policyEndDate: string) => TxOp[] = planPolicyEnd,
  ) {}

  async get(): Promise<Settings | undefined> {
    const item = await this.reg.get(SETTINGS_KEY);
    if (!item) return undefined;
    return {
      policyEndDate: String(item.policyEndDate),
      version: Number(item.version),
      ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
      ...(typeof item.updatedBy === 'string' ? { updatedBy: item.updatedBy } : {}),
    };
  }

  async put(before: Settings | undefined, after: Settings, audit: AuditEvent): Promise<void> {
    const { version: _v, ...fields } = after;
    const write: TxOp = before
      ? { kind: 'update', key: SETTINGS_KEY, set: fields, expectVersion: before.version, entity: 'Settings' }
      : {
          kind: 'put',
          item: { ...SETTINGS_KEY, type: 'settings', ...after },
          ifNew: true,
          onConflict: () => new StaleVersionError('Settings'),
        };
    await this.reg.transact({ ops: [write, ...this.plan(after.policyEndDate)], audit: [audit] });
  }
}

/**
 * Art. 14: the policy end date in force — the admin setting, else the stage default (`POLICY_END_DATE`).
 * Every module reads it through this (notice close, policy end, exports).
 */
export function policyEndDate(reg: Registry = registry()): Promise<string> {
  return currentPolicyEndDate({
    settings: new DynamoSettingsStore(reg),
    clock,
    defaultPolicyEndDate: () => env().POLICY_END_DATE,
  });
}
