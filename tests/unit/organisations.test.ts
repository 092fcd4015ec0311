import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import type { HumanTask } from '../../functions/core/human-tasks.ts';
import {
  decideVerification,
  getOrganisation,
  type Organisation,
  type OrganisationDeps,
  registerOrganisation,
} from '../../functions/core/organisations.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { fixedClock } from '../../functions/shared/clock.ts';
import type { Principal } from '../../functions/shared/roles.ts';

/** The organisation use cases with in-memory ports. */
function fakes(opts: { startFails?: boolean; task?: Partial<HumanTask> } = {}) {
  const orgs = new Map<string, Organisation>();
  const audit: AuditEvent[] = [];
  const started: string[] = [];
  const released: string[] = [];
  const errors: unknown[] = [];
  let n = 0;
  const deps: OrganisationDeps = {
    orgs: {
      create: async (org, event) => {
        orgs.set(org.id, org);
        audit.push(event);
      },
      get: async (id) => orgs.get(id),
      decideVerification: async (org, expected, _task, event) => {
        if (orgs.get(org.id)?.version !== expected) throw new Error('stale');
        orgs.set(org.id, org);
        audit.push(event);
      },
    },
    tasks: {
      current: async (_t, entityId) =>
        opts.task
          ? ({ id: 't1', token: 'tok', status: 'pending', entityId, ...opts.task } as HumanTask)
          : undefined,
    },
    workflows: async () => ({
      start: async (_w, name) => {
        if (opts.startFails) throw new Error('sfn down');
        started.push(name);
        return { executionId: name, alreadyStarted: false };
      },
      sendTaskSuccess: async (token) => {
        released.push(token);
      },
    }),
    clock: fixedClock('2026-02-03T04:05:06.000Z'),
    ids: {
      next: () => {
        n += 1;
        return `ORG${n}`;
      },
    },
    onWorkflowError: (e) => errors.push(e),
  };
  return { deps, orgs, audit, started, released, errors };
}

const applicant: Principal = { sub: 'a1', roles: ['applicant'] };
const input = (uscc: string) => ({
  name: 'Acme',
  uscc,
  registeredCapitalCny: 50_000_000,
  address: 'Zhongshan',
  legalRepresentative: 'L',
  contact: { name: 'C', phone: '0760-1234567', email: 'c@example.cn' },
});

describe('registerOrganisation (Art. 9(1))', () => {
  it.each([
    [withCheckChar('91442000MA4UQ2B37'), 'not_required', []],
    ['91350100M0001TGQXM', 'pending', ['org-ORG1']],
    [withCheckChar('91441900MA4UQ2B37'), 'pending', ['org-ORG1']],
  ])('%s → verification %s', async (uscc, status, started) => {
    const f = fakes();
    const res = await registerOrganisation(f.deps, applicant, input(uscc));
    expect(res).toMatchObject({ status: 201, body: { id: 'ORG1', verification: { status } } });
    expect(f.started).toEqual(started);
    expect(f.audit.map((e) => [e.action, e.entityId, e.at])).toEqual([
      ['organisation.registered', 'ORG1', '2026-02-03T04:05:06.000Z'],
    ]);
    expect(f.orgs.get('ORG1')?.memberSubs).toEqual(['a1']);
  });

  it('a structurally invalid code is a 400 naming uscc, and nothing is stored', async () => {
    const f = fakes();
    await expect(registerOrganisation(f.deps, applicant, input('91442000MA4UQ2B3IX'))).rejects.toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ path: 'body.uscc' })],
    });
    expect(f.orgs.size).toBe(0);
  });

  it('a workflow that cannot start is reported, the registration stands', async () => {
    const f = fakes({ startFails: true });
    const res = await registerOrganisation(f.deps, applicant, input('91350100M0001TGQXM'));
    expect(res.status).toBe(201);
    expect(f.errors).toHaveLength(1);
  });
});

describe('getOrganisation', () => {
  it.each([
    [{ sub: 'a1', roles: ['applicant'] }, true],
    [{ sub: 'a2', roles: ['applicant'] }, false],
    [{ sub: 'o', roles: ['officer'] }, true],
    [{ sub: 'p', roles: ['approver'] }, true],
    [{ sub: 'e', roles: ['expert'] }, false],
    [{ sub: 'b', roles: ['observer'] }, false],
  ] as Array<[Principal, boolean]>)('%o sees it: %s (else 404)', async (who, visible) => {
    const f = fakes();
    await registerOrganisation(f.deps, applicant, input(withCheckChar('91442000MA4UQ2B37')));
    const read = getOrganisation(f.deps, who, 'ORG1');
    if (visible) await expect(read).resolves.toMatchObject({ id: 'ORG1' });
    else await expect(read).rejects.toMatchObject({ status: 404 });
  });
});

describe('decideVerification', () => {
  const officer: Principal = { sub: 'o1', roles: ['officer'] };
  it('records the decision and releases the waiting task', async () => {
    const f = fakes({ task: {} });
    await registerOrganisation(f.deps, applicant, input('91350100M0001TGQXM'));
    const view = await decideVerification(f.deps, officer, 'ORG1', {
      decision: 'rejected',
      opinion: 'Not in Zhongshan',
    });
    expect(view).toMatchObject({ verification: { status: 'rejected', decidedBy: 'o1' }, version: 2 });
    expect(f.released).toEqual(['tok']);
    expect(f.audit.at(-1)).toMatchObject({
      action: 'organisation.verification_decided',
      detail: { opinion: 'Not in Zhongshan' },
    });
  });

  it.each<[string, Parameters<typeof fakes>[0]]>([
    ['no open task yet', {}],
    ['a finished task', { task: { status: 'completed' } }],
  ])('409 NOT_PENDING with %s', async (_label, opts) => {
    const f = fakes(opts);
    await registerOrganisation(f.deps, applicant, input('91350100M0001TGQXM'));
    await expect(
      decideVerification(f.deps, officer, 'ORG1', { decision: 'verified', opinion: 'ok ok' }),
    ).rejects.toMatchObject({ status: 409, code: 'NOT_PENDING' });
  });

  it('404 for an unknown organisation', async () => {
    await expect(
      decideVerification(fakes().deps, officer, 'nope', { decision: 'verified', opinion: 'ok ok' }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
