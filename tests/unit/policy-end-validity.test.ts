import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import type { DueItem } from '../../functions/core/deadlines.ts';
import {
  getPlatform,
  isRecognisedOn,
  listPublicPlatforms,
  type Platform,
  type PlatformDeps,
  withPolicyEnd,
} from '../../functions/core/platforms.ts';
import { type PolicyEndRepo, policyEndAction } from '../../functions/core/revocations.ts';
import { fixedClock } from '../../functions/shared/clock.ts';

/**
 * Art. 14: recognitions end with the policy. The policy end in the settings is the single source of an
 * active platform's validity: extended or shortened, every active platform follows it at once, whatever
 * date it was recognised with (the stored `validUntil`).
 */
const OLD_END = '2027-12-31';
const platform = (over: Partial<Platform> = {}): Platform =>
  ({
    id: 'p1',
    applicationId: 'a1',
    callId: 'c1',
    orgId: 'org-1',
    hostName: '中山甲科技有限公司',
    uscc: 'U',
    summary: 's',
    capabilities: [],
    consortium: [],
    status: 'active',
    recognisedAt: '2026-05-01T00:00:00.000Z',
    validUntil: OLD_END,
    noticeId: 'n1',
    createdAt: '2026-05-01T00:00:00.000Z',
    updatedAt: '2026-05-01T00:00:00.000Z',
    version: 1,
    ...over,
  }) as Platform;

/** The last millisecond of a Shanghai day, and the first of the next (UTC+8). */
const lastMoment = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();
const firstMomentAfter = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00.000+08:00`) + 86_400_000).toISOString();

function deps(stored: Platform[], policyEnd: string, now: string): PlatformDeps {
  return {
    platforms: {
      get: async (id) => stored.find((p) => p.id === id),
      listActive: async (limit) => ({ items: stored.filter((p) => p.status === 'active').slice(0, limit) }),
      hostMembers: async () => ['host'],
    },
    clock: fixedClock(now),
    policyEndDate: async () => policyEnd,
  };
}

describe('isRecognisedOn: the policy end in force decides, not the stored date', () => {
  it.each([
    // extended from 2027-12-31 to 2029-12-31
    ['extended: a day before the old end', '2029-12-31', '2027-12-30', true],
    ['extended: on the old end', '2029-12-31', '2027-12-31', true],
    ['extended: a day after the old end', '2029-12-31', '2028-01-01', true],
    ['extended: a day before the new end', '2029-12-31', '2029-12-30', true],
    ['extended: on the new end', '2029-12-31', '2029-12-31', true],
    ['extended: a day after the new end', '2029-12-31', '2030-01-01', false],
    // shortened from 2027-12-31 to 2027-06-30
    ['shortened: a day before the new end', '2027-06-30', '2027-06-29', true],
    ['shortened: on the new end', '2027-06-30', '2027-06-30', true],
    ['shortened: a day after the new end', '2027-06-30', '2027-07-01', false],
    ['shortened: on the old end', '2027-06-30', '2027-12-31', false],
  ])('%s → %s', (_label, policyEnd, today, want) => {
    expect(isRecognisedOn(platform(), policyEnd, today)).toBe(want);
  });

  it('a revoked or expired platform is never recognised, whatever the policy', () => {
    for (const status of ['revoked', 'expired'])
      expect(isRecognisedOn(platform({ status: status as 'active' }), '2029-12-31', '2026-06-01')).toBe(
        false,
      );
  });

  it('withPolicyEnd: an active platform shows the policy end in force; an ended one keeps its end date', () => {
    expect(withPolicyEnd(platform(), '2029-12-31').validUntil).toBe('2029-12-31');
    expect(withPolicyEnd(platform(), '2027-06-30').validUntil).toBe('2027-06-30');
    const ended = platform({ status: 'expired' as 'active', validUntil: '2027-06-30' });
    expect(withPolicyEnd(ended, '2029-12-31')).toBe(ended);
  });
});

describe('the public registry and the platform record follow the policy end (Asia/Shanghai days)', () => {
  it.each([
    ['extended: the last moment of the old end', '2029-12-31', lastMoment(OLD_END), true],
    ['extended: the first moment after the old end', '2029-12-31', firstMomentAfter(OLD_END), true],
    ['extended: the last moment of the new end', '2029-12-31', lastMoment('2029-12-31'), true],
    ['extended: the first moment after the new end', '2029-12-31', firstMomentAfter('2029-12-31'), false],
    ['shortened: the last moment of the new end', '2027-06-30', lastMoment('2027-06-30'), true],
    ['shortened: the first moment after the new end', '2027-06-30', firstMomentAfter('2027-06-30'), false],
    ['unchanged: the last moment of the end', OLD_END, lastMoment(OLD_END), true],
    ['unchanged: the first moment after the end', OLD_END, firstMomentAfter(OLD_END), false],
  ])('%s → listed %s', async (_label, policyEnd, now, listed) => {
    // Prepare
    const d = deps([platform(), platform({ id: 'p2', status: 'revoked' as 'active' })], policyEnd, now);
    // Act
    const page = await listPublicPlatforms(d, { limit: 10 });
    const record = await getPlatform(d, { sub: 'o', roles: ['officer'] }, 'p1');
    // Assess
    expect(page.items.map((p) => [p.id, p.validUntil])).toEqual(listed ? [['p1', policyEnd]] : []);
    expect(page.nextCursor).toBeUndefined();
    expect(record.validUntil).toBe(policyEnd);
  });
});

describe('policy-end job: every active recognition ends, whatever date it was recognised with', () => {
  function repo(platforms: Platform[], movedAfter = Number.POSITIVE_INFINITY) {
    const expired: { id: string; validUntil: string; audit: AuditEvent }[] = [];
    let finished = false;
    const r: PolicyEndRepo = {
      activePage: async (limit) =>
        platforms.filter((p) => p.status === 'active' && !expired.some((e) => e.id === p.id)).slice(0, limit),
      expire: async (p, end, _n, audit) => {
        if (expired.length >= movedAfter) return 'entry_moved';
        expired.push({ id: p.id, validUntil: end.policyEndDate, audit });
        return 'expired';
      },
      finish: async () => {
        finished = true;
        return true;
      },
      hostMembers: async () => ['host'],
    };
    return { r, expired, done: () => finished };
  }
  const entry = (policyEndDate: string): DueItem => ({
    duePk: 'DUE#0',
    dueSk: `${lastMoment(policyEndDate)}#policy-end#policy`,
    item: { policyEndDate },
  });

  it('a shortened policy ends platforms recognised with a later date, each valid until the new end', async () => {
    // Prepare: recognised until 2027-12-31 and 2029-12-31 (after an earlier extension); the policy now ends 2027-06-30
    const { r, expired, done } = repo([platform(), platform({ id: 'p2', validUntil: '2029-12-31' })]);
    // Act
    const changed = await policyEndAction(r)(entry('2027-06-30'), new Date(firstMomentAfter('2027-06-30')));
    // Assess
    expect(changed).toBe(true);
    expect(expired.map((e) => [e.id, e.validUntil])).toEqual([
      ['p1', '2027-06-30'],
      ['p2', '2027-06-30'],
    ]);
    expect(expired[1]?.audit.detail).toMatchObject({
      validUntil: '2027-06-30',
      recognisedValidUntil: '2029-12-31',
    });
    expect(done()).toBe(true);
  });

  it('an extended policy ends platforms recognised with the old date at the new end', async () => {
    const { r, expired } = repo([platform({ validUntil: OLD_END })]);
    await policyEndAction(r)(entry('2029-12-31'), new Date(firstMomentAfter('2029-12-31')));
    expect(expired.map((e) => [e.id, e.validUntil])).toEqual([['p1', '2029-12-31']]);
  });

  it('stops at once when the policy end was moved meanwhile (the entry it read was replaced)', async () => {
    const { r, expired, done } = repo([platform(), platform({ id: 'p2' }), platform({ id: 'p3' })], 1);
    const changed = await policyEndAction(r)(entry(OLD_END), new Date(firstMomentAfter(OLD_END)));
    expect(changed).toBe(true);
    expect(expired.map((e) => e.id)).toEqual(['p1']);
    expect(done()).toBe(false);
  });
});
