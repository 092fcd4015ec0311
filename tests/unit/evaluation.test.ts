import { describe, expect, it } from 'vitest';
import {
  nextReportDue,
  overdueAt,
  parseReportDeadline,
  REPORT_OVERDUE,
  REPORT_REMINDER,
  reportInTime,
} from '../../functions/core/evaluations.ts';
import { ValidationError } from '../../functions/shared/errors.ts';

/** Art. 12 deadlines in Asia/Shanghai: the report deadline, reminders and the overdue marking. */
describe('parseReportDeadline', () => {
  it.each([
    ['2027-03-31', '2027-03-31T15:59:59.999Z'],
    ['2027-01-01', '2027-01-01T15:59:59.999Z'],
    ['2027-03-31T18:00:00+08:00', '2027-03-31T10:00:00.000Z'],
    ['2027-03-31T10:00:00.000Z', '2027-03-31T10:00:00.000Z'],
  ])('%s → %s', (input, instant) => {
    expect(parseReportDeadline(input).toISOString()).toBe(instant);
  });

  it.each(['2027-02-30', '31/03/2027', '2027-03-31T10:00:00', 'soon'])('%s is 400', (input) => {
    expect(() => parseReportDeadline(input)).toThrow(ValidationError);
  });
});

describe('reportInTime: at or before the deadline instant', () => {
  const deadline = '2027-03-31T15:59:59.999Z'; // 2027-03-31 23:59:59.999 Shanghai
  it.each([
    ['2027-03-31T15:59:58.999Z', true], // − 1 s
    ['2027-03-31T15:59:59.999Z', true], // at
    ['2027-03-31T16:00:00.000Z', false], // + 1 ms: 2027-04-01 00:00 Shanghai
    ['2027-03-31T16:00:00.999Z', false], // + 1 s
  ])('%s → %s', (now, ok) => {
    expect(reportInTime(deadline, new Date(now))).toBe(ok);
  });

  it('the overdue marking is due one millisecond after the deadline', () => {
    expect(overdueAt(deadline)).toBe('2027-03-31T16:00:00.000Z');
  });
});

describe('nextReportDue: reminders 7 days and 1 day before, then overdue', () => {
  const deadline = '2027-03-31T15:59:59.999Z';
  it.each([
    ['2027-03-01T00:00:00.000Z', '2027-03-24T15:59:59.999Z', REPORT_REMINDER],
    ['2027-03-24T15:59:59.998Z', '2027-03-24T15:59:59.999Z', REPORT_REMINDER],
    ['2027-03-24T15:59:59.999Z', '2027-03-30T15:59:59.999Z', REPORT_REMINDER],
    ['2027-03-30T15:59:59.999Z', '2027-03-31T16:00:00.000Z', REPORT_OVERDUE],
    ['2027-04-05T00:00:00.000Z', '2027-03-31T16:00:00.000Z', REPORT_OVERDUE],
  ])('at %s → %s (%s)', (now, at, type) => {
    expect(nextReportDue(deadline, new Date(now))).toEqual({ at, type });
  });
});
