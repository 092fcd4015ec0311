import dataset from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { ConflictError, ValidationError } from '../shared/errors.ts';
import type { Principal } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import type { Clock } from './ports.ts';

/**
 * The working-day calendar of public notices (Art. 8(4); MEASURES appendix "public notice"): the State
 * Council's annual holiday notice names the public holidays and the weekend make-up workdays (调休).
 * Seeded from the maintained `chinese-days` dataset; an admin override per year (`CALENDAR#<year>`)
 * corrects a year or supplies one the dataset lacks (`complete: true` makes the override the whole
 * truth for that year). A year that neither covers falls back to "Monday–Friday" with a warning.
 *
 * All dates are calendar dates `YYYY-MM-DD` in Asia/Shanghai (UTC+8, no daylight saving). Instants are
 * stored as UTC ISO strings (`toISOString()`), like every other instant in the registry; a notice ends
 * at 23:59:59.999 Asia/Shanghai of its last day, i.e. `<last day − 1>T15:59:59.999Z`.
 */
export type NoticeUnit = 'working_days' | 'calendar_days';

/** An admin's override of one year (`PUT /v1/calendar/{year}`). */
export interface CalendarYearOverride {
  readonly year: number;
  readonly holidays: readonly string[];
  readonly workdays: readonly string[];
  /** The override is the whole year (the dataset is ignored for it) — e.g. a year the dataset lacks. */
  readonly complete?: boolean;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
  readonly version?: number;
}

export interface CalendarWarning {
  readonly code: 'CALENDAR_YEAR_MISSING';
  readonly year: number;
  readonly message: string;
}

/** Port: the stored overrides of some years. */
export interface CalendarSource {
  overrides(years: readonly number[]): Promise<ReadonlyMap<number, CalendarYearOverride>>;
}

interface DayData {
  readonly holidays: Readonly<Record<string, string>>;
  readonly workdays: Readonly<Record<string, string>>;
}

const DATASET: DayData = dataset as unknown as DayData;
const DATASET_YEARS: ReadonlySet<number> = new Set(
  [...Object.keys(DATASET.holidays), ...Object.keys(DATASET.workdays)].map((d) => Number(d.slice(0, 4))),
);

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Asia/Shanghai calendar date of an instant. */
export const shanghaiDate = (instant: Date): string =>
  new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

/** The last millisecond of a Shanghai calendar date, as an instant. */
export const endOfShanghaiDay = (date: string): Date => new Date(Date.parse(`${date}T23:59:59.999+08:00`));

/** The first millisecond of a Shanghai calendar date, as an instant. */
export const startOfShanghaiDay = (date: string): Date => new Date(Date.parse(`${date}T00:00:00.000+08:00`));

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** A real calendar date `YYYY-MM-DD` (2026-02-30 is not). */
export function isCalendarDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const d = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const yearOf = (date: string): number => Number(date.slice(0, 4));

/** Years the bundled dataset has (the State Council's notices it carries). */
export const datasetYears = (): readonly number[] => [...DATASET_YEARS].sort((a, b) => a - b);

/** What the calendar knows about one year, as `GET /v1/calendar/{year}` shows it. */
export interface CalendarYearView {
  readonly year: number;
  /** `dataset`, `override` (complete), `dataset+override`, `weekends-only` (nothing covers the year). */
  readonly source: 'dataset' | 'override' | 'dataset+override' | 'weekends-only';
  readonly covered: boolean;
  /** Public holidays falling on any day of the week. */
  readonly holidays: readonly string[];
  /** Weekend days that are working days (make-up workdays). */
  readonly workdays: readonly string[];
  readonly override?: CalendarYearOverride;
}

/**
 * The working-day calendar for the years it was loaded with (dataset + overrides). Pure: build it
 * with `loadCalendar` (overrides from the registry) or directly in tests.
 */
export class WorkingDayCalendar {
  constructor(private readonly overrides: ReadonlyMap<number, CalendarYearOverride> = new Map()) {}

  /** A year is covered when the dataset has it or a complete override supplies it. */
  covers(year: number): boolean {
    return DATASET_YEARS.has(year) || this.overrides.get(year)?.complete === true;
  }

  /** Art. 8(4) notice periods: a working day is a weekday that is not a holiday, or a make-up workday. */
  isWorkingDay(date: string): boolean {
    if (!isCalendarDate(date)) throw new Error(`not a calendar date: ${date}`);
    const year = yearOf(date);
    const override = this.overrides.get(year);
    if (override?.workdays.includes(date)) return true;
    if (override?.holidays.includes(date)) return false;
    if (!override?.complete) {
      if (DATASET.workdays[date] !== undefined) return true;
      if (DATASET.holidays[date] !== undefined) return false;
    }
    const weekday = new Date(`${date}T00:00:00.000Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The year's holidays and make-up workdays as the calendar applies them. */
  year(year: number): CalendarYearView {
    const override = this.overrides.get(year);
    const prefix = `${year}-`;
    const fromDataset = (m: Readonly<Record<string, string>>) =>
      override?.complete ? [] : Object.keys(m).filter((d) => d.startsWith(prefix));
    const holidays = new Set([...fromDataset(DATASET.holidays), ...(override?.holidays ?? [])]);
    const workdays = new Set([...fromDataset(DATASET.workdays), ...(override?.workdays ?? [])]);
    for (const d of override?.workdays ?? []) holidays.delete(d);
    for (const d of override?.holidays ?? []) workdays.delete(d);
    const inDataset = DATASET_YEARS.has(year);
    const source = override?.complete
      ? 'override'
      : inDataset
        ? override
          ? 'dataset+override'
          : 'dataset'
        : 'weekends-only';
    return {
      year,
      source,
      covered: this.covers(year),
      holidays: [...holidays].sort(),
      workdays: [...workdays].sort(),
      ...(override ? { override } : {}),
    };
  }

  /** A warning for each of `years` that nothing covers (working days there are Monday–Friday only). */
  missing(years: readonly number[]): CalendarWarning[] {
    return [...new Set(years)]
      .filter((y) => !this.covers(y))
      .sort((a, b) => a - b)
      .map((year) => ({
        code: 'CALENDAR_YEAR_MISSING' as const,
        year,
        message: `国务院${year}年节假日安排尚未录入 / The holiday calendar for ${year} is missing: working days there are counted as Monday–Friday only. An admin can supply it with PUT /v1/calendar/${year}.`,
      }));
  }
}

/** Builds the calendar for `years` from the dataset and the stored overrides. */
export async function loadCalendar(
  source: CalendarSource,
  years: readonly number[],
): Promise<WorkingDayCalendar> {
  return new WorkingDayCalendar(await source.overrides([...new Set(years)]));
}

/** Longest notice period the system accepts (a setting of each call; MEASURES appendix). */
export const MAX_NOTICE_LENGTH = 30;

export interface NoticePeriod {
  /** When the notice opens (the start instant given). */
  readonly startsAt: string;
  /** 23:59:59.999 Asia/Shanghai of the last day, as a UTC ISO instant. */
  readonly endsAt: string;
  /** First counted day and last day (Asia/Shanghai). */
  readonly firstDay: string;
  readonly lastDay: string;
  readonly warnings: readonly CalendarWarning[];
}

/**
 * Art. 8(4) public notice period (MEASURES appendix): `length` working or calendar days, the first day
 * counting. Calendar days: the start day is day 1. Working days: the start day is day 1 when it is a
 * working day; otherwise counting starts at the next working day. The period ends at the end of its last
 * day (Asia/Shanghai). A year in the period that the calendar does not cover is counted Monday–Friday
 * and reported in `warnings`.
 */
export function noticePeriod(
  calendar: WorkingDayCalendar,
  start: Date,
  length: number,
  unit: NoticeUnit,
): NoticePeriod {
  if (!Number.isInteger(length) || length < 1 || length > MAX_NOTICE_LENGTH) {
    throw new RangeError(`notice length must be 1–${MAX_NOTICE_LENGTH}, got ${length}`);
  }
  const startDay = shanghaiDate(start);
  let firstDay = startDay;
  let lastDay: string;
  if (unit === 'calendar_days') {
    lastDay = addDays(startDay, length - 1);
  } else {
    let counted = 0;
    let day = startDay;
    let first: string | undefined;
    // ≤ 30 working days never span more than a few months, even across Spring Festival.
    for (let i = 0; i < 400; i += 1) {
      if (calendar.isWorkingDay(day)) {
        first ??= day;
        counted += 1;
        if (counted === length) break;
      }
      day = addDays(day, 1);
    }
    firstDay = first ?? startDay;
    lastDay = day;
  }
  const years: number[] = [];
  for (let y = yearOf(startDay); y <= yearOf(lastDay); y += 1) years.push(y);
  return {
    startsAt: start.toISOString(),
    endsAt: endOfShanghaiDay(lastDay).toISOString(),
    firstDay,
    lastDay,
    warnings: unit === 'working_days' ? calendar.missing(years) : [],
  };
}

/**
 * The coming year's calendar is published in early November: warn (GET /v1/calendar, the deadline job's
 * log) while the current or the coming year is not covered, so an admin supplies it before a notice needs it.
 */
export function calendarWarnings(calendar: WorkingDayCalendar, now: Date): CalendarWarning[] {
  const year = yearOf(shanghaiDate(now));
  return calendar.missing([year, year + 1]);
}

/** The years a working-day period starting at `start` may touch (for loading the overrides it needs). */
export function yearsAround(start: Date): number[] {
  const y = yearOf(shanghaiDate(start));
  return [y, y + 1];
}

/** Port: the calendar overrides, readable and writable (admin settings). */
export interface CalendarRepo extends CalendarSource {
  put(override: CalendarYearOverride, expectedVersion: number | undefined, audit: AuditEvent): Promise<void>;
}

export interface CalendarDeps {
  readonly calendar: CalendarRepo;
  readonly clock: Clock;
}

/** `GET /v1/calendar/{year}` (staff): the year as applied, and warnings about missing years. */
export async function getCalendarYear(
  deps: CalendarDeps,
  year: number,
): Promise<CalendarYearView & { warnings: CalendarWarning[] }> {
  const now = deps.clock.now();
  const current = yearOf(shanghaiDate(now));
  const calendar = await loadCalendar(deps.calendar, [year, current, current + 1]);
  return { ...calendar.year(year), warnings: calendarWarnings(calendar, now) };
}

/**
 * `PUT /v1/calendar/{year}` (admin; audited): the State Council's holidays and make-up workdays of a
 * year, over the dataset (or, with `complete: true`, instead of it). Every date must be a real date of
 * that year and appear in one list only. `version` (from GET; 0 when the year has no override yet)
 * guards against concurrent edits.
 */
export async function putCalendarYear(
  deps: CalendarDeps,
  principal: Principal,
  year: number,
  input: { holidays: readonly string[]; workdays: readonly string[]; complete?: boolean; version?: number },
): Promise<CalendarYearView & { warnings: CalendarWarning[] }> {
  const errors: { path: string; message: string }[] = [];
  const check = (list: readonly string[], name: string) =>
    list.forEach((d, i) => {
      if (!isCalendarDate(d) || yearOf(d) !== year)
        errors.push({ path: `body.${name}.${i}`, message: `a date of ${year} (YYYY-MM-DD)` });
    });
  check(input.holidays, 'holidays');
  check(input.workdays, 'workdays');
  const both = input.holidays.filter((d) => input.workdays.includes(d));
  for (const d of new Set(both))
    errors.push({ path: 'body.workdays', message: `${d} is also listed as a holiday` });
  if (errors.length) {
    throw new ValidationError(
      `Fix these fields: ${errors
        .slice(0, 3)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ')}`,
      errors,
    );
  }
  const existing = (await deps.calendar.overrides([year])).get(year);
  const now = deps.clock.now();
  const override: CalendarYearOverride = {
    year,
    holidays: [...new Set(input.holidays)].sort(),
    workdays: [...new Set(input.workdays)].sort(),
    complete: input.complete ?? false,
    updatedAt: now.toISOString(),
    updatedBy: principal.sub,
  };
  // `version` 0 = "I read no override of this year": two admins creating the first override of a year
  // cannot overwrite each other (the second is refused like any stale save). Without a version the
  // current one is used (last writer wins, for scripts).
  if (input.version !== undefined && input.version !== (existing?.version ?? 0)) {
    throw new ConflictError(
      'STALE_VERSION',
      existing
        ? `The calendar override of ${year} is at version ${existing.version}, not ${input.version}; reload it and try again.`
        : `The calendar of ${year} has no override yet (version 0), not version ${input.version}; reload it and try again.`,
    );
  }
  await deps.calendar.put(
    override,
    existing ? (input.version ?? existing.version) : undefined,
    auditEvent(now, actorOf(principal), 'calendar.updated', 'calendar', String(year), {
      holidays: override.holidays,
      workdays: override.workdays,
      complete: override.complete,
      previous: existing
        ? { holidays: existing.holidays, workdays: existing.workdays, complete: existing.complete }
        : null,
    }),
  );
  return getCalendarYear(deps, year);
}
