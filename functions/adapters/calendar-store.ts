import type { AuditEvent } from '../core/audit.ts';
import type { CalendarSource, CalendarYearOverride } from '../core/calendar.ts';
import { keys } from '../core/recognition-model.ts';
import { ConflictError } from '../shared/errors.ts';
import { type Item, type Registry, registry } from './registry.ts';

/** Calendar overrides in the registry: `CALENDAR#<year>` / `CALENDAR` (versioned; admin-maintained). */
function strip(item: Item): CalendarYearOverride {
  const { pk: _p, sk: _s, type: _t, ...rest } = item;
  return rest as unknown as CalendarYearOverride;
}

export class DynamoCalendarStore implements CalendarSource {
  constructor(private readonly reg: Registry = registry()) {}

  async overrides(years: readonly number[]): Promise<ReadonlyMap<number, CalendarYearOverride>> {
    const found = await Promise.all([...new Set(years)].map((y) => this.reg.get(keys.calendarYear(y))));
    const out = new Map<number, CalendarYearOverride>();
    for (const item of found) if (item) out.set(Number(item.year), strip(item));
    return out;
  }

  /**
   * Stores a year's override: new (`expectedVersion` undefined → must not exist yet) or a replacement of
   * version `expectedVersion` (optimistic locking), with its audit event in the same transaction.
   */
  async put(
    override: CalendarYearOverride,
    expectedVersion: number | undefined,
    audit: AuditEvent,
  ): Promise<void> {
    const key = keys.calendarYear(override.year);
    await this.reg.transact({
      ops: [
        expectedVersion === undefined
          ? {
              kind: 'put',
              item: { ...key, type: 'calendar', ...override, version: 1 },
              ifNew: true,
              onConflict: () =>
                new ConflictError(
                  'STALE_VERSION',
                  `The calendar override of ${override.year} was created meanwhile; reload it and try again.`,
                ),
            }
          : {
              kind: 'put',
              item: { ...key, type: 'calendar', ...override, version: expectedVersion + 1 },
              condition: {
                expression: '#version = :v',
                names: { '#version': 'version' },
                values: { ':v': expectedVersion },
              },
              onConflict: () =>
                new ConflictError(
                  'STALE_VERSION',
                  `The calendar override of ${override.year} was changed meanwhile; reload it and try again.`,
                ),
            },
      ],
      audit: [audit],
    });
  }
}
