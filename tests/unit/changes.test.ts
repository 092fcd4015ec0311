import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import {
  type AdvanceNotice,
  type ChangeDeps,
  type ChangeRepo,
  type ChangeRequest,
  currentValues,
  decideChangeRequest,
  fileAdvanceNotice,
  fileChangeRequest,
  isInAdvance,
} from '../../functions/core/changes.ts';
import type { NotificationInput } from '../../functions/core/notifications.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { type Clock, fixedClock } from '../../functions/shared/clock.ts';

/** Art. 10: advance notifications (Asia/Shanghai days) and change requests, with in-memory fakes. */
describe('isInAdvance (effective date after today, Asia/Shanghai)', () => {
  it.each([
    // 2026-06-10 23:59:59 Shanghai = 15:59:59Z; 2026-06-11 00:00 Shanghai = 16:00Z
    ['just before Shanghai midnight: tomorrow', '2026-06-10T15:59:59.999Z', '2026-06-11', true],
    ['just before Shanghai midnight: today', '2026-06-10T15:59:59.999Z', '2026-06-10', false],
    ['just before Shanghai midnight: yesterday', '2026-06-10T15:59:59.999Z', '2026-06-09', false],
    ['at Shanghai midnight: the new today', '2026-06-10T16:00:00.000Z', '2026-06-11', false],
    ['at Shanghai midnight: tomorrow', '2026-06-10T16:00:00.000Z', '2026-06-12', true],
    ['at Shanghai midnight: yesterday', '2026-06-10T16:00:00.000Z', '2026-06-10', false],
  ])('%s', (_label, now, date, expected) => {
    expect(isInAdvance(date, new Date(now))).toBe(expected);
  });
});

const platform = (over: Partial<Platform> = {}): Platform =>
  ({
    id: 'p1',
    applicationId: 'a1',
    callId: 'c1',
    orgId: 'org-1',
    hostName: '中山示例科技有限公司',
    uscc: 'U1',
    summary: 's',
    capabilities: ['算力'],
    consortium: [],
    status: 'active',
    recognisedAt: '2026-01-01T00:00:00.000Z',
    validUntil: '2027-12-31',
    noticeId: 'n1',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 3,
    ...over,
  }) as Platform;

function setup(p: Platform, clock: Clock = fixedClock('2026-06-10T04:00:00Z')) {
  const state = {
    late: [] as { notifications: readonly NotificationInput[]; audit: AuditEvent }[],
    notices: [] as AdvanceNotice[],
    created: [] as ChangeRequest[],
    decided: [] as Parameters<ChangeRepo['decide']>[0][],
  };
  const changes: ChangeRepo = {
    create: async (cr) => void state.created.push(cr),
    get: async (id) => state.created.find((c) => c.id === id),
    listByPlatform: async () => ({ items: state.created }),
    decide: async (d) => void state.decided.push(d),
    history: async () => ({ items: [] }),
    fileAdvanceNotice: async (n) => void state.notices.push(n),
    flagLateNotice: async (notifications, audit) => void state.late.push({ notifications, audit }),
    listAdvanceNotices: async () => state.notices,
  };
  let n = 0;
  const deps: ChangeDeps = {
    platforms: {
      get: async (id) => (id === p.id ? p : undefined),
      hostMembers: async (o) => (o === 'org-1' ? ['host'] : ['other-host']),
    },
    changes,
    orgs: {
      get: async (id) => (id === 'org-2' ? ({ id, name: '新主体有限公司', uscc: 'U2' } as never) : undefined),
    },
    evidence: async () => [],
    sharing: { record: async () => undefined },
    clock,
    ids: { next: () => `id${++n}` },
  };
  return { deps, state };
}

const host = { sub: 'host', roles: ['applicant' as const] };
const officer = { sub: 'off', roles: ['officer' as const] };

describe('fileAdvanceNotice', () => {
  it.each([
    ['tomorrow', '2026-06-11', 201],
    ['today', '2026-06-10', 409],
    ['yesterday', '2026-06-09', 409],
  ])('effective %s → %i', async (_label, effectiveDate, status) => {
    const { deps, state } = setup(platform());
    const run = fileAdvanceNotice(deps, host, 'p1', { kind: 'rename', effectiveDate, description: '更名' });
    if (status === 201) {
      expect((await run).status).toBe(201);
      expect(state.notices).toHaveLength(1);
      expect(state.late).toHaveLength(0);
    } else {
      await expect(run).rejects.toMatchObject({ status: 409, code: 'NOT_IN_ADVANCE' });
      expect(state.notices).toHaveLength(0);
      expect(state.late).toHaveLength(1);
      expect(state.late[0]?.audit.action).toBe('platform.late_notification');
      expect(state.late[0]?.notifications[0]?.recipient).toEqual({ role: 'officer' });
    }
  });

  it('404 for someone who is not a host member; 409 PLATFORM_NOT_ACTIVE on a revoked platform', async () => {
    await expect(
      fileAdvanceNotice(setup(platform()).deps, { sub: 'x', roles: ['applicant'] }, 'p1', {
        kind: 'rename',
        effectiveDate: '2026-07-01',
        description: 'd',
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      fileAdvanceNotice(setup(platform({ status: 'revoked' } as never)).deps, host, 'p1', {
        kind: 'bankruptcy',
        effectiveDate: '2026-07-01',
        description: 'd',
      }),
    ).rejects.toMatchObject({ status: 409, code: 'PLATFORM_NOT_ACTIVE' });
  });
});

describe('change requests', () => {
  it.each(['revoked', 'expired'])(
    'a request on a %s platform is refused (409 PLATFORM_NOT_ACTIVE)',
    async (status) => {
      const { deps, state } = setup(platform({ status } as never));
      await expect(
        fileChangeRequest(deps, host, 'p1', {
          kind: 'target_tasks',
          proposed: { tasks: ['x'] },
          description: 'd',
        }),
      ).rejects.toMatchObject({ status: 409, code: 'PLATFORM_NOT_ACTIVE' });
      expect(state.created).toHaveLength(0);
    },
  );

  it.each([
    ['an unknown organisation', 'org-9', 400],
    ['the current host', 'org-1', 400],
  ])('host_organisation to %s → %i', async (_l, orgId, status) => {
    const { deps } = setup(platform());
    await expect(
      fileChangeRequest(deps, host, 'p1', {
        kind: 'host_organisation',
        proposed: { orgId },
        description: 'd',
      }),
    ).rejects.toMatchObject({ status });
  });

  it('approval applies the change and keeps the old values in history', async () => {
    const { deps, state } = setup(platform());
    const { body } = await fileChangeRequest(deps, host, 'p1', {
      kind: 'host_organisation',
      proposed: { orgId: 'org-2' },
      description: '重组',
    });
    expect(body.current).toEqual({ orgId: 'org-1', hostName: '中山示例科技有限公司', uscc: 'U1' });
    const after = await decideChangeRequest(deps, officer, body.id, { decision: 'approve', opinion: '同意' });
    expect(after.status).toBe('approved');
    const d = state.decided[0];
    expect(d?.apply?.set).toMatchObject({ orgId: 'org-2', hostName: '新主体有限公司', uscc: 'U2' });
    expect(d?.apply?.history).toMatchObject({
      previous: { orgId: 'org-1' },
      next: { orgId: 'org-2' },
      platformVersion: 4,
    });
    expect(d?.audit.map((a) => a.action)).toEqual(['change_request.approved', 'platform.changed']);
    expect(d?.notifications[0]?.recipient).toEqual({ sub: 'host' });
  });

  it('rejection changes nothing on the platform; a decided request cannot be decided again', async () => {
    const { deps, state } = setup(platform());
    const { body } = await fileChangeRequest(deps, host, 'p1', {
      kind: 'service_content',
      proposed: { services: ['模型'] },
      description: 'd',
    });
    await decideChangeRequest(deps, officer, body.id, { decision: 'reject', opinion: '材料不足' });
    expect(state.decided[0]?.apply).toBeUndefined();
    state.created[0] = { ...body, status: 'rejected' };
    await expect(
      decideChangeRequest(deps, officer, body.id, { decision: 'approve', opinion: 'x' }),
    ).rejects.toMatchObject({ code: 'REQUEST_DECIDED' });
  });

  it('currentValues maps service content to the capabilities and target tasks to targetTasks', () => {
    expect(currentValues(platform(), 'service_content')).toEqual({ capabilities: ['算力'] });
    expect(currentValues(platform(), 'target_tasks')).toEqual({ targetTasks: [] });
  });
});
