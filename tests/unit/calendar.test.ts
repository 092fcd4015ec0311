import { describe, expect, it } from 'vitest';
import {
  type CalendarYearOverride,
  calendarWarnings,
  datasetYears,
  endOfShanghaiDay,
  noticePeriod,
  shanghaiDate,
  WorkingDayCalendar,
} from '../../functions/core/calendar.ts';

const calendar = new WorkingDayCalendar();
const override = (o: Omit<CalendarYearOverride, 'holidays' | 'workdays'> & Partial<CalendarYearOverride>) =>
  new WorkingDayCalendar(new Map([[o.year, { holidays: [], workdays: [], ...o }]]));
/** Noon in Shanghai on a date: the instant a notice is approved that day. */
const noon = (date: string) => new Date(`${date}T12:00:00+08:00`);

describe('isWorkingDay (2026 per the State Council notice, MEASURES appendix)', () => {
  it.each([
    ['2026-01-01', false, 'New Year holiday (Thu)'],
    ['2026-01-04', true, 'make-up workday (Sun)'],
    ['2026-02-13', true, 'Friday before Spring Festival'],
    ['2026-02-14', true, 'make-up workday (Sat)'],
    ['2026-02-15', false, 'Spring Festival first day'],
    ['2026-02-23', false, 'Spring Festival last day (Mon)'],
    ['2026-02-24', true, 'first weekday after Spring Festival'],
    ['2026-02-28', true, 'make-up workday (Sat)'],
    ['2026-03-07', false, 'ordinary Saturday'],
    ['2026-03-09', true, 'ordinary Monday'],
    ['2026-05-05', false, 'Labour Day holiday (Tue)'],
    ['2026-05-09', true, 'make-up workday (Sat)'],
    ['2026-06-19', false, 'Dragon Boat (Fri)'],
    ['2026-09-20', true, 'make-up workday (Sun)'],
    ['2026-09-30', true, 'Wednesday before National Day'],
    ['2026-10-01', false, 'National Day'],
    ['2026-10-07', false, 'National Day last day'],
    ['2026-10-08', true, 'Thursday after National Day'],
    ['2026-10-10', true, 'make-up workday (Sat)'],
    ['2026-10-11', false, 'Sunday after the make-up day'],
  ])('%s → %s (%s)', (date, expected) => {
    expect(calendar.isWorkingDay(date)).toBe(expected);
  });

  it('has 2026 and lacks 2027 in the dataset', () => {
    expect(datasetYears()).toContain(2026);
    expect(calendar.covers(2026)).toBe(true);
    expect(calendar.covers(2027)).toBe(false);
  });

  it('a year nothing covers counts Monday–Friday', () => {
    expect(calendar.isWorkingDay('2027-01-01')).toBe(true); // Friday
    expect(calendar.isWorkingDay('2027-01-02')).toBe(false); // Saturday
  });

  it('an admin override adds holidays and make-up days; complete makes it the whole truth', () => {
    const partial = override({ year: 2026, holidays: ['2026-03-09'], workdays: ['2026-03-07'] });
    expect(partial.isWorkingDay('2026-03-09')).toBe(false);
    expect(partial.isWorkingDay('2026-03-07')).toBe(true);
    expect(partial.isWorkingDay('2026-10-01')).toBe(false); // dataset still applies
    const complete = override({ year: 2026, complete: true });
    expect(complete.isWorkingDay('2026-10-01')).toBe(true); // dataset ignored for the year
    expect(complete.covers(2026)).toBe(true);
    expect(override({ year: 2027, holidays: ['2027-01-01'] }).covers(2027)).toBe(false);
    expect(override({ year: 2027, complete: true }).covers(2027)).toBe(true);
  });
});

describe('noticePeriod (Art. 8(4): the first day counts; ends 23:59:59.999 Asia/Shanghai)', () => {
  it.each([
    // start day, length, unit, first counted day, last day
    ['2026-09-29', 5, 'working_days', '2026-09-29', '2026-10-10'], // below National Day: ends on the make-up Saturday
    ['2026-09-30', 5, 'working_days', '2026-09-30', '2026-10-12'], // at: the day before the holiday
    ['2026-10-01', 5, 'working_days', '2026-10-08', '2026-10-13'], // in the holiday: counting starts after it
    ['2026-10-08', 5, 'working_days', '2026-10-08', '2026-10-13'], // above: the make-up Saturday counts
    ['2026-10-09', 1, 'working_days', '2026-10-09', '2026-10-09'],
    ['2026-10-11', 1, 'working_days', '2026-10-12', '2026-10-12'], // a Sunday start does not count
    ['2026-02-13', 5, 'working_days', '2026-02-13', '2026-02-26'], // Spring Festival
    ['2026-02-12', 10, 'working_days', '2026-02-12', '2026-03-03'], // 02-14 and 02-28 are make-up Saturdays
    ['2026-10-01', 7, 'calendar_days', '2026-10-01', '2026-10-07'], // calendar days ignore holidays
    ['2026-12-28', 7, 'calendar_days', '2026-12-28', '2027-01-03'],
    ['2026-09-30', 10, 'working_days', '2026-09-30', '2026-10-19'],
  ] as const)('start %s, %i %s → %s … %s', (start, length, unit, first, last) => {
    const p = noticePeriod(calendar, noon(start), length, unit);
    expect(p.firstDay).toBe(first);
    expect(p.lastDay).toBe(last);
    expect(p.endsAt).toBe(endOfShanghaiDay(last).toISOString());
    expect(p.startsAt).toBe(noon(start).toISOString());
    expect(p.warnings).toEqual([]);
  });

  it('ends at 23:59:59.999 Shanghai, i.e. 15:59:59.999Z', () => {
    expect(noticePeriod(calendar, noon('2026-10-09'), 1, 'working_days').endsAt).toBe(
      '2026-10-09T15:59:59.999Z',
    );
  });

  it('uses the Shanghai date of the start instant (00:30 +08:00 is already the next day)', () => {
    // 2026-09-30T16:30Z is 2026-10-01 00:30 in Shanghai: a holiday, so day 1 is 10-08.
    const p = noticePeriod(calendar, new Date('2026-09-30T16:30:00Z'), 1, 'working_days');
    expect(p.firstDay).toBe('2026-10-08');
    expect(shanghaiDate(new Date('2026-09-30T15:59:59.999Z'))).toBe('2026-09-30');
  });

  it('across the year end into 2027 (missing): weekends-only fallback with a warning', () => {
    const p = noticePeriod(calendar, noon('2026-12-21'), 10, 'working_days');
    expect(p.lastDay).toBe('2027-01-01'); // 12-21…25, 12-28…31, then Friday 2027-01-01 counted
    expect(p.warnings).toEqual([expect.objectContaining({ code: 'CALENDAR_YEAR_MISSING', year: 2027 })]);
  });

  it('across the year end with a complete 2027 override: no warning, its holidays apply', () => {
    const with2027 = override({ year: 2027, complete: true, holidays: ['2027-01-01'] });
    const p = noticePeriod(with2027, noon('2026-12-21'), 10, 'working_days');
    expect(p.lastDay).toBe('2027-01-04');
    expect(p.warnings).toEqual([]);
  });

  it.each([0, 31, 2.5])('refuses length %s', (length) => {
    expect(() => noticePeriod(calendar, noon('2026-10-09'), length, 'working_days')).toThrow(RangeError);
  });
});

describe('calendarWarnings', () => {
  it('warns when the coming year is missing', () => {
    expect(calendarWarnings(calendar, noon('2026-11-15')).map((w) => w.year)).toEqual([2027]);
  });
  it('is quiet once an admin supplies the coming year', () => {
    expect(calendarWarnings(override({ year: 2027, complete: true }), noon('2026-11-15'))).toEqual([]);
  });
});
