import { describe, expect, it } from 'vitest';
import { DUE_SHARDS } from '../../functions/adapters/table-schema.ts';
import type { Application } from '../../functions/core/applications.ts';
import type { CalendarSource } from '../../functions/core/calendar.ts';
import type { Call } from '../../functions/core/calls.ts';
import {
  DUE_SHARDS_FOR_NOTICES,
  noticeAcceptsObjections,
  objectionIdFor,
  outcomeOf,
  planNotice,
} from '../../functions/core/notices.ts';

const noOverrides: CalendarSource = { overrides: async () => new Map() };

const call = {
  id: 'C1',
  title: '2026年度认定',
  noticePeriod: { length: 5, unit: 'working_days' },
} as unknown as Call;

const app = (id: string): Application =>
  ({
    id,
    callId: 'C1',
    orgName: `Org ${id}`,
    summary: `Platform ${id}`,
    ownerSub: `owner-${id}`,
  }) as Application;

const approver = { sub: 'approver-1', roles: ['approver' as const] };

describe('planNotice (Art. 8(4))', () => {
  it('computes the period with the working-day calendar and plans notice, tallies, notifications and audit', async () => {
    // Prepare: approved at noon on 2026-09-30 (the day before National Day)
    const now = new Date('2026-09-30T12:00:00+08:00');
    // Act
    const plan = await planNotice(
      { calendar: noOverrides },
      { call, applications: [app('A1'), app('A2')], now, approver },
    );
    // Assess
    expect(plan.notice).toMatchObject({
      id: 'n-C1',
      callId: 'C1',
      status: 'open',
      startsAt: now.toISOString(),
      firstDay: '2026-09-30',
      lastDay: '2026-10-12',
      endsAt: '2026-10-12T15:59:59.999Z',
      length: 5,
      unit: 'working_days',
      entries: [
        { applicationId: 'A1', orgName: 'Org A1', platformSummary: 'Platform A1' },
        { applicationId: 'A2', orgName: 'Org A2', platformSummary: 'Platform A2' },
      ],
    });
    const puts = plan.ops.flatMap((o) => (o.kind === 'put' ? [o.item] : []));
    expect(puts[0]).toMatchObject({
      pk: 'NOTICE#n-C1',
      sk: 'NOTICE',
      dueSk: '2026-10-12T16:00:00.000Z#notice-close#n-C1',
    });
    expect(puts.filter((i) => String(i.sk).startsWith('ENTRY#'))).toHaveLength(2);
    expect(puts.filter((i) => String(i.pk).startsWith('NOTIFY#USER#owner-'))).toHaveLength(2);
    expect(plan.audit.map((a) => a.action)).toEqual(['notice.opened']);
  });

  it('refuses an empty list', async () => {
    await expect(
      planNotice({ calendar: noOverrides }, { call, applications: [], now: new Date(), approver }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('uses the same number of due shards as the table', () => {
    expect(DUE_SHARDS_FOR_NOTICES).toBe(DUE_SHARDS);
  });
});

describe('noticeAcceptsObjections (by the clock)', () => {
  const notice = {
    status: 'open',
    startsAt: '2026-09-30T04:00:00.000Z',
    endsAt: '2026-10-12T15:59:59.999Z',
  } as Parameters<typeof noticeAcceptsObjections>[0];
  it.each([
    ['startsAt − 1 ms', '2026-09-30T03:59:59.999Z', false],
    ['startsAt', '2026-09-30T04:00:00.000Z', true],
    ['endsAt', '2026-10-12T15:59:59.999Z', true],
    ['endsAt + 1 ms (00:00 Shanghai the next day)', '2026-10-12T16:00:00.000Z', false],
  ])('%s → %s', (_what, at, expected) => {
    expect(noticeAcceptsObjections(notice, new Date(at))).toBe(expected);
  });
  it('a closed notice accepts nothing', () => {
    expect(noticeAcceptsObjections({ ...notice, status: 'closed' }, new Date('2026-10-01T00:00:00Z'))).toBe(
      false,
    );
  });
});

describe('objections', () => {
  const input = {
    applicationId: 'A1',
    objectorName: '王五',
    objectorType: 'individual' as const,
    contact: '13800000000',
    reason: '合作机构数量不实',
  };
  it('the same objection gets the same id; a different one another', () => {
    expect(objectionIdFor('n-C1', input)).toBe(
      objectionIdFor('n-C1', { ...input, reason: ` ${input.reason} ` }),
    );
    expect(objectionIdFor('n-C1', input)).not.toBe(objectionIdFor('n-C1', { ...input, applicationId: 'A2' }));
  });
  it.each([
    [0, 'recognised'],
    [1, 'not_recognised'],
  ] as const)('%i upheld → %s', (upheld, outcome) => {
    expect(outcomeOf({ upheld })).toBe(outcome);
  });
});
