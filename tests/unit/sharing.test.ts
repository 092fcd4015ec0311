import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import {
  assertMayRead,
  consentCovering,
  isObserverOnly,
  type SharingConsent,
  type SharingDeps,
} from '../../functions/core/sharing.ts';
import { fixedClock } from '../../functions/shared/clock.ts';

/** Art. 11: observers see evidence and business data only under a valid consent, and are audited. */
const consent = (over: Partial<SharingConsent> = {}): SharingConsent => ({
  id: 'c1',
  platformId: 'p1',
  dataOwner: '数据所有方',
  scope: ['evidence'],
  validUntil: '2026-06-10',
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'host',
  ...over,
});

describe('consentCovering', () => {
  it.each([
    ['valid through today', '2026-06-10', 'evidence', true],
    ['ended yesterday', '2026-06-11', 'evidence', false],
    ['another scope', '2026-06-01', 'reports', false],
  ])('%s', (_l, today, scope, expected) => {
    expect(consentCovering([consent()], scope as never, today) !== undefined).toBe(expected);
  });
});

describe('assertMayRead', () => {
  function setup(consents: SharingConsent[], now: string) {
    const audit: AuditEvent[] = [];
    const deps: SharingDeps = {
      platforms: {
        get: async (id) => (id === 'p1' ? ({ id, orgId: 'org-1', status: 'active' } as never) : undefined),
        hostMembers: async () => ['host'],
      },
      sharing: {
        create: async () => undefined,
        list: async () => consents,
        record: async (a) => void audit.push(a),
      },
      clock: fixedClock(now),
      ids: { next: () => 'x' },
    };
    return { deps, audit };
  }
  const observer = { sub: 'obs', roles: ['observer' as const] };

  it.each([
    // validUntil 2026-06-10 ends at Shanghai midnight = 2026-06-10T16:00Z
    ['last moment of the last day', '2026-06-10T15:59:59.999Z', 'allowed'],
    ['first moment after it', '2026-06-10T16:00:00.000Z', 403],
  ])('an observer at the %s → %s', async (_l, now, expected) => {
    const { deps, audit } = setup([consent()], now);
    const run = assertMayRead(deps, observer, 'p1', 'evidence', 'listPlatformEvidence');
    if (expected === 'allowed') {
      await run;
      expect(audit[0]).toMatchObject({
        action: 'observer.accessed',
        detail: { route: 'listPlatformEvidence', consentId: 'c1' },
      });
    } else {
      await expect(run).rejects.toMatchObject({ status: 403, code: 'NO_SHARING_CONSENT' });
      expect(audit).toHaveLength(0);
    }
  });

  it('host members and staff need no consent and are not recorded as observers; strangers get 404', async () => {
    const { deps, audit } = setup([], '2026-06-01T00:00:00Z');
    await assertMayRead(deps, { sub: 'host', roles: ['applicant'] }, 'p1', 'evidence', 'r');
    await assertMayRead(deps, { sub: 'o', roles: ['officer', 'observer'] }, 'p1', 'evidence', 'r');
    await expect(
      assertMayRead(deps, { sub: 'x', roles: ['applicant'] }, 'p1', 'evidence', 'r'),
    ).rejects.toMatchObject({ status: 404 });
    expect(audit).toHaveLength(0);
    expect(isObserverOnly({ sub: 'o', roles: ['officer', 'observer'] })).toBe(false);
  });
});
