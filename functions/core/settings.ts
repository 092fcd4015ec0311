import { ConflictError, ValidationError } from '../shared/errors.ts';
import type { Principal } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import { shanghaiDate } from './calendar.ts';
import type { Clock } from './ports.ts';

/**
 * System settings (Art. 14): the policy end date — every recognition ends on it (Asia/Shanghai) unless
 * the office extends the policy. Until an admin stores one, the stage default (`POLICY_END_DATE`,
 * 2027-12-31) applies (`version: 0`).
 */
export interface Settings {
  readonly policyEndDate: string;
  /** 0 while the defaults apply; each stored change increments it (optimistic locking). */
  readonly version: number;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export interface SettingsRepo {
  get(): Promise<Settings | undefined>;
  /**
   * One transaction: the settings (created when `before` is undefined, else version-checked → 409
   * STALE_VERSION), the re-planned policy end (the deadline job's `policy-end` entry) and the audit event.
   */
  put(before: Settings | undefined, after: Settings, audit: AuditEvent): Promise<void>;
}

export interface SettingsDeps {
  readonly settings: SettingsRepo;
  readonly clock: Clock;
  /** The stage default (`POLICY_END_DATE`). */
  readonly defaultPolicyEndDate: () => string;
}

/** `GET /v1/settings`: the stored settings, or the defaults (version 0). */
export async function getSettings(deps: SettingsDeps): Promise<Settings> {
  return (await deps.settings.get()) ?? { policyEndDate: deps.defaultPolicyEndDate(), version: 0 };
}

/** Art. 14: the policy end date in force (the stored setting, else the stage default). */
export async function currentPolicyEndDate(deps: SettingsDeps): Promise<string> {
  return (await getSettings(deps)).policyEndDate;
}

/** The latest policy end date accepted (a typo guard, not a rule of the measures). */
export const MAX_POLICY_END_DATE = '2099-12-31';

/**
 * `PUT /v1/settings` (admin, Art. 14): extends (or shortens) the policy. The date must be today or later
 * (Asia/Shanghai): an end in the past would end every recognition retroactively. `version` is the one
 * read (409 STALE_VERSION when someone changed it meanwhile). Audited with the old and new date.
 */
export async function putSettings(
  deps: SettingsDeps,
  principal: Principal,
  input: { policyEndDate: string; version?: number },
): Promise<Settings> {
  const stored = await deps.settings.get();
  const current = stored ?? { policyEndDate: deps.defaultPolicyEndDate(), version: 0 };
  if (input.version !== undefined && input.version !== current.version) {
    throw new ConflictError(
      'STALE_VERSION',
      `The settings changed since you read them (version ${current.version}, you sent ${input.version}); reload them.`,
    );
  }
  const now = deps.clock.now();
  const today = shanghaiDate(now);
  if (input.policyEndDate < today || input.policyEndDate > MAX_POLICY_END_DATE) {
    throw new ValidationError(
      `policyEndDate ${input.policyEndDate} must be from today (${today}, Asia/Shanghai) to ${MAX_POLICY_END_DATE}.`,
      [{ path: 'body.policyEndDate', message: `from ${today} to ${MAX_POLICY_END_DATE}` }],
    );
  }
  const at = now.toISOString();
  const after: Settings = {
    policyEndDate: input.policyEndDate,
    version: current.version + 1,
    updatedAt: at,
    updatedBy: principal.sub,
  };
  await deps.settings.put(
    stored,
    after,
    auditEvent(now, actorOf(principal), 'settings.changed', 'settings', 'settings', {
      policyEndDate: { from: current.policyEndDate, to: after.policyEndDate },
    }),
  );
  return after;
}
