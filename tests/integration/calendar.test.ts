import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCalendarStore } from '../../functions/adapters/calendar-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { loadCalendar, noticePeriod } from '../../functions/core/calendar.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

const { handler } = await import('../../functions/api/settings.ts');

const admin: Caller = { sub: 'admin-1', roles: ['admin'] };
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const get = (caller: Caller, year: string) =>
  handler(apiEvent('GET /v1/calendar/{year}', { caller, params: { year } }), lambdaContext());
const put = (caller: Caller, year: string, body: unknown) =>
  handler(apiEvent('PUT /v1/calendar/{year}', { caller, params: { year }, body }), lambdaContext());

/** The 2027 holidays as an admin would enter them from the State Council's notice (illustrative). */
const year2027 = { holidays: ['2027-01-01'], workdays: [], complete: true };

beforeAll(async () => {
  await useLocalServices('calendar');
  setClock(new Date('2026-11-15T10:00:00+08:00'), 'fixed');
});
afterAll(() => setClock(undefined));

describe('working-day calendar settings', () => {
  it('shows 2026 from the dataset and warns that 2027 is missing', async () => {
    const res = await get(officer, '2026');
    expect(res.statusCode).toBe(200);
    const body = jsonBody<{ source: string; workdays: string[]; warnings: { year: number }[] }>(res);
    expect(body.source).toBe('dataset');
    expect(body.workdays).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    expect(body.warnings.map((w) => w.year)).toEqual([2027]);
  });

  it.each([
    ['a date of another year', { holidays: ['2026-12-31'], workdays: [] }, 'body.holidays.0'],
    ['an impossible date', { holidays: ['2027-02-30'], workdays: [] }, 'body.holidays.0'],
    ['a date in both lists', { holidays: ['2027-01-02'], workdays: ['2027-01-02'] }, 'body.workdays'],
  ])('refuses %s (400)', async (_what, body, path) => {
    const res = await put(admin, '2027', body);
    expect(res.statusCode).toBe(400);
    expect(jsonBody<{ errors: { path: string }[] }>(res).errors.map((e) => e.path)).toContain(path);
  });

  it('only an admin may override a year (403 for an officer)', async () => {
    expect((await put(officer, '2027', year2027)).statusCode).toBe(403);
  });

  it('an admin supplies 2027: audited, the warning goes, notice periods use it', async () => {
    const res = await put(admin, '2027', year2027);
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({
      source: 'override',
      covered: true,
      holidays: ['2027-01-01'],
      warnings: [],
    });
    const audit = await registry().listAudit('2027', 10);
    expect(audit.items.map((e) => e.action)).toEqual(['calendar.updated']);
    const calendar = await loadCalendar(new DynamoCalendarStore(), [2026, 2027]);
    const p = noticePeriod(calendar, new Date('2026-12-21T12:00:00+08:00'), 10, 'working_days');
    expect(p).toMatchObject({ lastDay: '2027-01-04', warnings: [] });
  });

  it.each([
    ['2031', 0, 200],
    ['2033', 1, 409],
  ])('the first override of %s with version %i (none read yet) → %i', async (year, version, status) => {
    const res = await put(admin, year, { holidays: [`${year}-01-01`], workdays: [], version });
    expect(res.statusCode).toBe(status);
  });

  it('two admins creating the same year’s first override: the second (version 0) is refused', async () => {
    const first = await put(admin, '2032', { holidays: ['2032-01-01'], workdays: [], version: 0 });
    expect(first.statusCode).toBe(200);
    const second = await put({ sub: 'admin-2', roles: ['admin'] }, '2032', {
      holidays: ['2032-10-01'],
      workdays: [],
      version: 0,
    });
    expect(second.statusCode).toBe(409);
    expect(jsonBody<{ code: string }>(second).code).toBe('STALE_VERSION');
    const stored = jsonBody<{ override: { holidays: string[]; version: number } }>(await get(admin, '2032'));
    expect(stored.override).toMatchObject({ holidays: ['2032-01-01'], version: 1 });
  });

  it('a stale version is refused with 409; the current one is accepted', async () => {
    const stale = await put(admin, '2027', { ...year2027, version: 99 });
    expect(stale.statusCode).toBe(409);
    const current = jsonBody<{ override: { version: number } }>(await get(admin, '2027')).override.version;
    expect(
      (await put(admin, '2027', { ...year2027, holidays: ['2027-01-01', '2027-02-08'], version: current }))
        .statusCode,
    ).toBe(200);
  });
});
