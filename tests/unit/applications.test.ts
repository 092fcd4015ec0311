import { describe, expect, it } from 'vitest';
import {
  type Application,
  type ApplicationChange,
  type ApplicationDeps,
  type ApplicationInput,
  applyScanResult,
  confirmEvidence,
  createApplication,
  createEvidenceUpload,
  type Evidence,
  getApplication,
  listApplications,
  manifestOf,
  patchApplication,
  sanitiseFileName,
  submitApplication,
  withdrawApplication,
} from '../../functions/core/applications.ts';
import type { AuditEvent } from '../../functions/core/audit.ts';
import type { Call } from '../../functions/core/calls.ts';
import type { HumanTask } from '../../functions/core/human-tasks.ts';
import type { NotificationInput } from '../../functions/core/notifications.ts';
import type { Organisation } from '../../functions/core/organisations.ts';
import { checkUscc, withCheckChar } from '../../functions/core/uscc.ts';
import type { Clock } from '../../functions/shared/clock.ts';
import { UnprocessableError } from '../../functions/shared/errors.ts';
import type { Principal } from '../../functions/shared/roles.ts';

/** The application use cases with in-memory ports (Art. 8(1), Art. 9). */
const CLOSES = '2026-03-31T16:00:00.000Z';
const owner: Principal = { sub: 'applicant-1', roles: ['applicant'] };
const stranger: Principal = { sub: 'applicant-2', roles: ['applicant'] };
const officer: Principal = { sub: 'officer-1', roles: ['officer'] };
const expert: Principal = { sub: 'expert-user-1', roles: ['expert'] };

const call: Call = {
  id: 'CALL1',
  title: 'Recognition 2026',
  description: 'd',
  opensAt: '2026-03-01T00:00:00.000Z',
  closesAt: CLOSES,
  requiredEvidence: [
    { kind: 'business-licence', title: 'Business licence', required: true },
    { kind: 'financials', title: 'Audited financials', required: true },
    { kind: 'brochure', title: 'Brochure', required: false },
  ],
  scoringCriteria: [{ key: 'k', title: 'K', weight: 1, max: 100 }],
  noticePeriod: { length: 5, unit: 'working_days' },
  status: 'open',
  createdBy: 'o',
  createdAt: '2026-02-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
  version: 2,
};

const uscc = withCheckChar('91442000MA4UQ9YX2');
const organisation: Organisation = {
  id: 'ORG1',
  name: '中山智算科技有限公司',
  uscc,
  registeredCapitalCny: 60_000_000,
  address: '中山',
  legalRepresentative: '张三',
  contact: { name: '李四', phone: '0760-88880000', email: 'a@b.cn' },
  usccCheck: checkUscc(uscc),
  verification: { status: 'not_required' },
  memberSubs: [owner.sub],
  createdBy: owner.sub,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};

const input = (over: Partial<ApplicationInput> = {}): ApplicationInput => ({
  consortium: [{ name: '中山大学', kind: 'university' }],
  partners: Array.from({ length: 10 }, (_, i) => ({ name: `Partner ${i}`, kind: 'company' as const })),
  registeredCapitalCny: 60_000_000,
  committedEnterprisesPerYear: 30,
  capabilities: ['compute'],
  summary: 'A platform',
  ...over,
});

function fakes(now = '2026-03-10T00:00:00.000Z') {
  let at = new Date(now);
  const clock: Clock = { now: () => new Date(at.getTime()) };
  const apps = new Map<string, Application>();
  const evidence = new Map<string, Evidence>();
  const audit: AuditEvent[] = [];
  const notifications: NotificationInput[] = [];
  const changes: ApplicationChange[] = [];
  const started: Array<{ workflow: string; name: string; input: Record<string, unknown> }> = [];
  const successes: Array<{ token: string; output: Record<string, unknown> }> = [];
  const failures: Array<{ token: string; error: string }> = [];
  const deleted: string[] = [];
  const orgs = new Map([[organisation.id, organisation]]);
  const assignments = new Set<string>();
  let task: HumanTask | undefined;
  let verifyFails = false;
  let n = 0;
  const deps: ApplicationDeps = {
    apps: {
      create: async (app, event) => {
        if ([...apps.values()].some((a) => a.callId === app.callId && a.orgId === app.orgId)) {
          throw Object.assign(new Error('dup'), { code: 'ALREADY_APPLIED' });
        }
        apps.set(app.id, app);
        audit.push(event);
      },
      get: async (id) => apps.get(id),
      change: async (c) => {
        if (apps.get(c.before.id)?.version !== c.before.version) throw new Error('stale');
        apps.set(c.after.id, c.after);
        changes.push(c);
        notifications.push(...(c.notifications ?? []));
        audit.push(c.audit);
      },
      listByCall: async (callId) => ({ items: [...apps.values()].filter((a) => a.callId === callId) }),
      listByOwner: async (sub) => ({ items: [...apps.values()].filter((a) => a.ownerSub === sub) }),
      listAssigned: async (expertId) => ({
        items: [...apps.values()].filter((a) => assignments.has(`${a.id}#${expertId}`)),
      }),
      expertIdOf: async (sub) => (sub === expert.sub ? 'EXP1' : undefined),
      isAssigned: async (appId, expertId) => assignments.has(`${appId}#${expertId}`),
      organisationOf: async (sub) => [...orgs.values()].find((o) => o.memberSubs.includes(sub)),
      getOrganisation: async (id) => orgs.get(id),
    },
    evidence: {
      create: async (ev, event) => {
        evidence.set(ev.evidenceId, ev);
        audit.push(event);
      },
      get: async (_a, id) => evidence.get(id),
      list: async (appId) => [...evidence.values()].filter((e) => e.applicationId === appId),
      change: async (before, after, event, notes = []) => {
        if (evidence.get(before.evidenceId)?.version !== before.version) throw new Error('stale');
        evidence.set(after.evidenceId, after);
        audit.push(event);
        notifications.push(...notes);
      },
      record: async (event) => {
        audit.push(event);
      },
    },
    files: {
      createUpload: async (ref) => ({
        upload: {
          url: 'http://s3/bucket',
          fields: { key: `incoming/${ref.scope}/${ref.ownerId}/${ref.evidenceId}` },
        },
        expiresAt: new Date(at.getTime() + 900_000).toISOString(),
      }),
      verifyUpload: async (ref) => {
        if (verifyFails) {
          deleted.push(ref.evidenceId);
          throw new UnprocessableError('EVIDENCE_MISMATCH', 'mismatch', [
            { path: 'sha256', message: 'differs' },
          ]);
        }
        return {};
      },
      downloadUrl: async () => ({ url: 'http://s3/get', expiresAt: at.toISOString() }),
      deleteVerified: async (ref) => {
        deleted.push(ref.evidenceId);
      },
    },
    calls: { get: async (id) => (id === call.id ? call : undefined) },
    tasks: { current: async () => task },
    workflows: async () => ({
      start: async (workflow, name, wfInput) => {
        started.push({ workflow, name, input: wfInput });
        return { executionId: name, alreadyStarted: false };
      },
      sendTaskSuccess: async (token, output) => {
        successes.push({ token, output });
      },
      sendTaskFailure: async (token, error) => {
        failures.push({ token, error });
      },
    }),
    clock,
    ids: {
      next: () => {
        n += 1;
        return `ID${n}`;
      },
    },
    malwareScan: false,
  };
  return {
    deps,
    apps,
    evidence,
    audit,
    notifications,
    changes,
    started,
    successes,
    failures,
    deleted,
    assignments,
    setNow: (iso: string) => {
      at = new Date(iso);
    },
    setTask: (t: Partial<HumanTask> | undefined) => {
      task = t
        ? ({ id: 'T1', token: 'tok-1', status: 'pending', kind: 'supplement', version: 1, ...t } as HumanTask)
        : undefined;
    },
    failVerify: () => {
      verifyFails = true;
    },
    withDeps: (over: Partial<ApplicationDeps>) => ({ ...deps, ...over }),
  };
}

async function draft(f: ReturnType<typeof fakes>, over: Partial<ApplicationInput> = {}) {
  const res = await createApplication(f.deps, owner, call.id, input(over));
  return res.body.id;
}

async function withVerifiedEvidence(
  f: ReturnType<typeof fakes>,
  id: string,
  kinds = ['business-licence', 'financials'],
) {
  for (const kind of kinds) {
    const res = await createEvidenceUpload(f.deps, owner, id, {
      kind,
      fileName: `${kind}.pdf`,
      contentType: 'application/pdf',
      sizeBytes: 100,
      sha256: 'a'.repeat(64),
    });
    await confirmEvidence(f.deps, owner, id, res.body.evidenceId);
  }
}

describe('createApplication', () => {
  it('drafts an application with the Art. 9 findings and audits it', async () => {
    // Prepare
    const f = fakes();
    // Act
    const res = await createApplication(f.deps, owner, call.id, input({ committedEnterprisesPerYear: 29 }));
    // Assess
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'draft', eligibility: { eligible: false } });
    expect(res.body.eligibility.failures.map((x) => x.rule)).toEqual(['art9.4.enterprises_served']);
    const app = f.apps.get(res.body.id);
    expect(app).toMatchObject({ orgId: 'ORG1', ownerSub: owner.sub, uscc, orgName: organisation.name });
    expect(f.audit.map((a) => a.action)).toEqual(['application.created']);
  });

  it('409 NO_ORGANISATION for an applicant without an organisation', async () => {
    const f = fakes();
    await expect(createApplication(f.deps, stranger, call.id, input())).rejects.toMatchObject({
      status: 409,
      code: 'NO_ORGANISATION',
    });
  });

  it.each([
    ['2026-02-28T23:59:59.000Z', 'CALL_NOT_OPEN'],
    [CLOSES, 'CALL_CLOSED'],
  ])('at %s → 409 %s', async (now, code) => {
    const f = fakes(now);
    await expect(createApplication(f.deps, owner, call.id, input())).rejects.toMatchObject({
      status: 409,
      code,
    });
  });

  it('404 for an unknown call', async () => {
    const f = fakes();
    await expect(createApplication(f.deps, owner, 'NOPE', input())).rejects.toMatchObject({ status: 404 });
  });

  it('400 when a party is named twice or is the applicant itself', async () => {
    const f = fakes();
    const twice = withCheckChar('91442000MA4UQ9YX3');
    await expect(
      createApplication(
        f.deps,
        owner,
        call.id,
        input({
          consortium: [{ name: 'Self', uscc, kind: 'company' }],
          partners: [
            { name: 'A', uscc: twice, kind: 'company' },
            { name: 'B', uscc: twice, kind: 'company' },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      status: 400,
      errors: [
        expect.objectContaining({ path: 'body.consortium.0.uscc' }),
        expect.objectContaining({ path: 'body.partners.1.uscc' }),
      ],
    });
  });
});

describe('submitApplication: deadlines, eligibility, evidence', () => {
  it.each([
    ['one second before closesAt', '2026-03-31T15:59:59.000Z', undefined],
    ['exactly at closesAt', CLOSES, 'CALL_CLOSED'],
    ['one second after closesAt', '2026-03-31T16:00:01.000Z', 'CALL_CLOSED'],
  ])('%s → %s', async (_label, now, code) => {
    // Prepare
    const f = fakes();
    const id = await draft(f);
    await withVerifiedEvidence(f, id);
    f.setNow(now);
    // Act
    const act = submitApplication(f.deps, owner, id);
    // Assess
    if (code) {
      await expect(act).rejects.toMatchObject({ status: 409, code });
      expect(f.apps.get(id)?.status).toBe('draft');
      expect(f.started).toEqual([]);
    } else {
      await expect(act).resolves.toMatchObject({ status: 'submitted', submittedAt: now });
      expect(f.started).toEqual([
        { workflow: 'review', name: `app-${id}`, input: { applicationId: id, callId: call.id } },
      ]);
    }
  });

  it('409 NOT_ELIGIBLE with the failures', async () => {
    const f = fakes();
    const id = await draft(f, { partners: [] });
    await withVerifiedEvidence(f, id);
    await expect(submitApplication(f.deps, owner, id)).rejects.toMatchObject({
      status: 409,
      code: 'NOT_ELIGIBLE',
      extra: { failures: [expect.objectContaining({ rule: 'art9.3.partner_institutions' })] },
    });
  });

  it('409 EVIDENCE_MISSING naming every required kind without verified evidence (optional kinds are not required)', async () => {
    const f = fakes();
    const id = await draft(f);
    await withVerifiedEvidence(f, id, ['business-licence']);
    await expect(submitApplication(f.deps, owner, id)).rejects.toMatchObject({
      status: 409,
      code: 'EVIDENCE_MISSING',
      extra: { missingKinds: ['financials'] },
    });
  });

  it('evidence still being scanned does not count', async () => {
    const f = fakes();
    const scanning = f.withDeps({ malwareScan: true });
    const id = await draft(f);
    const res = await createEvidenceUpload(scanning, owner, id, {
      kind: 'financials',
      fileName: 'f.pdf',
      contentType: 'application/pdf',
      sizeBytes: 1,
      sha256: 'b'.repeat(64),
    });
    await expect(confirmEvidence(scanning, owner, id, res.body.evidenceId)).resolves.toMatchObject({
      status: 'scanning',
    });
    await withVerifiedEvidence(f, id, ['business-licence']);
    await expect(submitApplication(f.deps, owner, id)).rejects.toMatchObject({ code: 'EVIDENCE_MISSING' });
  });

  it('submits: officers notified, audit carries the evidence manifest', async () => {
    const f = fakes();
    const id = await draft(f);
    await withVerifiedEvidence(f, id);
    await submitApplication(f.deps, owner, id);
    expect(f.notifications).toEqual([
      expect.objectContaining({
        recipient: { role: 'officer' },
        event: 'application.submitted',
        entityId: id,
      }),
    ]);
    const submitted = f.audit.find((a) => a.action === 'application.submitted');
    expect(submitted?.detail.evidenceManifest).toHaveLength(2);
  });

  it('a second submit → 409 NOT_SUBMITTABLE, another applicant → 404', async () => {
    const f = fakes();
    const id = await draft(f);
    await withVerifiedEvidence(f, id);
    await expect(submitApplication(f.deps, stranger, id)).rejects.toMatchObject({ status: 404 });
    await submitApplication(f.deps, owner, id);
    await expect(submitApplication(f.deps, owner, id)).rejects.toMatchObject({
      status: 409,
      code: 'NOT_SUBMITTABLE',
    });
  });
});

describe('resubmission of a returned application (Art. 8(2))', () => {
  const DEADLINE = '2026-04-10T16:00:00.000Z';
  async function returned(f: ReturnType<typeof fakes>) {
    const id = await draft(f);
    await withVerifiedEvidence(f, id);
    const app = f.apps.get(id) as Application;
    f.apps.set(id, { ...app, status: 'returned', supplementDeadline: DEADLINE, version: app.version + 1 });
    f.setTask({ kind: 'supplement', entityId: id });
    return id;
  }

  it.each([
    ['one second before the deadline (call already closed)', '2026-04-10T15:59:59.000Z', undefined],
    ['at the deadline', DEADLINE, 'SUPPLEMENT_DEADLINE_PASSED'],
    ['one second after', '2026-04-10T16:00:01.000Z', 'SUPPLEMENT_DEADLINE_PASSED'],
  ])('%s → %s', async (_label, now, code) => {
    const f = fakes();
    const id = await returned(f);
    f.setNow(now);
    const act = submitApplication(f.deps, owner, id);
    if (code) {
      await expect(act).rejects.toMatchObject({ status: 409, code });
      expect(f.successes).toEqual([]);
    } else {
      await expect(act).resolves.toMatchObject({ status: 'preliminary_review', resubmittedAt: now });
      expect(f.successes).toEqual([{ token: 'tok-1', output: { resubmitted: true } }]);
      expect(f.started).toEqual([]);
      const change = f.changes.at(-1);
      expect(change?.finishTask).toMatchObject({ status: 'completed', task: { id: 'T1' } });
      expect(change?.remove).toEqual(['duePk', 'dueSk']);
    }
  });

  it('409 NOT_PENDING while the supplement step is not open', async () => {
    const f = fakes();
    const id = await returned(f);
    f.setTask(undefined);
    f.setNow('2026-04-01T00:00:00.000Z');
    await expect(submitApplication(f.deps, owner, id)).rejects.toMatchObject({ code: 'NOT_PENDING' });
  });

  it('PATCH of a returned application after its deadline → 409', async () => {
    const f = fakes();
    const id = await returned(f);
    f.setNow('2026-04-11T00:00:00.000Z');
    await expect(patchApplication(f.deps, owner, id, { summary: 'x' })).rejects.toMatchObject({
      code: 'SUPPLEMENT_DEADLINE_PASSED',
    });
  });
});

describe('patchApplication', () => {
  it('recomputes eligibility and bumps the version', async () => {
    const f = fakes();
    const id = await draft(f, { partners: [] });
    const after = await patchApplication(f.deps, owner, id, {
      partners: input().partners,
    });
    expect(after.eligibility.eligible).toBe(true);
    expect(after.version).toBe(2);
  });

  it.each([
    ['If-Match', { summary: 'x' }, 7],
    ['body version', { summary: 'x', version: 7 }, undefined],
  ])('a stale %s → 409 STALE_VERSION', async (_label, patch, ifMatch) => {
    const f = fakes();
    const id = await draft(f);
    await expect(patchApplication(f.deps, owner, id, patch, ifMatch)).rejects.toMatchObject({
      status: 409,
      code: 'STALE_VERSION',
    });
  });

  it('a submitted application cannot be changed; another applicant gets 404', async () => {
    const f = fakes();
    const id = await draft(f);
    await expect(patchApplication(f.deps, stranger, id, { summary: 'x' })).rejects.toMatchObject({
      status: 404,
    });
    await withVerifiedEvidence(f, id);
    await submitApplication(f.deps, owner, id);
    await expect(patchApplication(f.deps, owner, id, { summary: 'x' })).rejects.toMatchObject({
      code: 'NOT_EDITABLE',
    });
  });
});

describe('who sees an application', () => {
  it.each([
    ['the owner', owner, false, true],
    ['an officer', officer, false, true],
    ['another applicant', stranger, false, false],
    ['an expert not assigned', expert, false, false],
    ['an assigned expert', expert, true, true],
  ])('%s → visible: %s', async (_label, who, assigned, visible) => {
    const f = fakes();
    const id = await draft(f);
    if (assigned) f.assignments.add(`${id}#EXP1`);
    const act = getApplication(f.deps, who, id);
    if (visible) await expect(act).resolves.toMatchObject({ id });
    else await expect(act).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('listing: staff must name the call; applicants see their own; experts their assigned', async () => {
    const f = fakes();
    const id = await draft(f);
    await expect(listApplications(f.deps, officer, { limit: 10 })).rejects.toMatchObject({ status: 400 });
    expect((await listApplications(f.deps, officer, { callId: call.id, limit: 10 })).items).toHaveLength(1);
    expect((await listApplications(f.deps, owner, { limit: 10 })).items).toHaveLength(1);
    expect((await listApplications(f.deps, stranger, { limit: 10 })).items).toHaveLength(0);
    expect((await listApplications(f.deps, expert, { limit: 10 })).items).toHaveLength(0);
    f.assignments.add(`${id}#EXP1`);
    expect((await listApplications(f.deps, expert, { limit: 10 })).items.map((a) => a.id)).toEqual([id]);
  });
});

describe('withdrawApplication (Art. 8(4))', () => {
  it('fails the pending human step with Withdrawn and tells the officers', async () => {
    const f = fakes();
    const id = await draft(f);
    await withVerifiedEvidence(f, id);
    await submitApplication(f.deps, owner, id);
    f.setTask({ kind: 'preliminary_review', entityId: id, token: 'tok-pr' });
    const after = await withdrawApplication(f.deps, owner, id, 'changed our plans');
    expect(after.status).toBe('withdrawn');
    expect(f.failures).toEqual([{ token: 'tok-pr', error: 'Withdrawn' }]);
    expect(f.changes.at(-1)?.finishTask).toMatchObject({ status: 'failed' });
    expect(f.notifications.at(-1)).toMatchObject({
      event: 'application.withdrawn',
      recipient: { role: 'officer' },
    });
  });

  it.each([
    ['on_notice', false],
    ['recognised', false],
    ['proposed', true],
    ['draft', true],
  ] as const)('from %s → allowed: %s', async (status, allowed) => {
    const f = fakes();
    const id = await draft(f);
    const app = f.apps.get(id) as Application;
    f.apps.set(id, { ...app, status });
    const act = withdrawApplication(f.deps, owner, id);
    if (allowed) await expect(act).resolves.toMatchObject({ status: 'withdrawn' });
    else await expect(act).rejects.toMatchObject({ status: 409, code: 'NOT_WITHDRAWABLE' });
  });
});

describe('evidence', () => {
  it('a kind outside the call’s requiredEvidence (and not other) → 400 naming the kinds', async () => {
    const f = fakes();
    const id = await draft(f);
    await expect(
      createEvidenceUpload(f.deps, owner, id, {
        kind: 'cv',
        fileName: 'a.pdf',
        contentType: 'application/pdf',
        sizeBytes: 1,
        sha256: 'a'.repeat(64),
      }),
    ).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'body.kind' })] });
  });

  it('a mismatch on confirm → 422, the evidence rejected and audited', async () => {
    const f = fakes();
    const id = await draft(f);
    const res = await createEvidenceUpload(f.deps, owner, id, {
      kind: 'other',
      fileName: 'a.pdf',
      contentType: 'application/pdf',
      sizeBytes: 1,
      sha256: 'a'.repeat(64),
    });
    f.failVerify();
    await expect(confirmEvidence(f.deps, owner, id, res.body.evidenceId)).rejects.toMatchObject({
      status: 422,
      code: 'EVIDENCE_MISMATCH',
    });
    expect(f.evidence.get(res.body.evidenceId)).toMatchObject({
      status: 'rejected',
      rejection: { reason: 'mismatch' },
    });
    expect(f.audit.at(-1)?.action).toBe('evidence.rejected');
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\申报书.pdf', '申报书.pdf'],
    ['a\u0000b\u001fc.pdf', 'abc.pdf'],
    ['...hidden..pdf', 'hidden.pdf'],
    ['', 'file'],
    ['x'.repeat(300), 'x'.repeat(120)],
  ])('file name %j is kept as the label %j', (raw, label) => {
    expect(sanitiseFileName(raw)).toBe(label);
  });

  it('the manifest lists verified evidence only, by id and SHA-256', () => {
    const base = {
      applicationId: 'A',
      contentType: 'application/pdf',
      createdAt: '',
      createdBy: '',
      uploadExpiresAt: '',
      version: 1,
    };
    const manifest = manifestOf([
      {
        ...base,
        evidenceId: 'E1',
        kind: 'k',
        fileName: 'a',
        sizeBytes: 1,
        sha256: 'a'.repeat(64),
        status: 'verified',
      },
      {
        ...base,
        evidenceId: 'E2',
        kind: 'k',
        fileName: 'b',
        sizeBytes: 1,
        sha256: 'b'.repeat(64),
        status: 'scanning',
      },
      {
        ...base,
        evidenceId: 'E3',
        kind: 'k',
        fileName: 'c',
        sizeBytes: 1,
        sha256: 'c'.repeat(64),
        status: 'rejected',
      },
    ]);
    expect(manifest).toEqual([
      { evidenceId: 'E1', kind: 'k', fileName: 'a', sha256: 'a'.repeat(64), sizeBytes: 1 },
    ]);
  });
});

describe('applyScanResult (GuardDuty verdicts)', () => {
  async function scanning(f: ReturnType<typeof fakes>) {
    const deps = f.withDeps({ malwareScan: true });
    const id = await draft(f);
    const res = await createEvidenceUpload(deps, owner, id, {
      kind: 'financials',
      fileName: 'f.pdf',
      contentType: 'application/pdf',
      sizeBytes: 1,
      sha256: 'b'.repeat(64),
    });
    return { id, evidenceId: res.body.evidenceId, deps };
  }

  it.each([
    ['NO_THREATS_FOUND', 'verified', false],
    ['THREATS_FOUND', 'rejected', true],
    ['UNSUPPORTED', 'rejected', false],
    ['FAILED', 'rejected', false],
  ])('%s → %s (object deleted: %s)', async (verdict, status, deleted) => {
    const f = fakes();
    const { id, evidenceId, deps } = await scanning(f);
    // Before the confirmation the event is too early: retried by EventBridge.
    await expect(applyScanResult(deps, id, evidenceId, verdict)).rejects.toThrow(/not confirmed/);
    await confirmEvidence(deps, owner, id, evidenceId);
    await expect(applyScanResult(deps, id, evidenceId, verdict, ['EICAR'])).resolves.toBe(true);
    expect(f.evidence.get(evidenceId)?.status).toBe(status);
    expect(f.deleted.includes(evidenceId)).toBe(deleted);
    if (status === 'rejected')
      expect(f.notifications.at(-1)).toMatchObject({ recipient: { sub: owner.sub } });
    // A repeated event changes nothing.
    await expect(applyScanResult(deps, id, evidenceId, verdict)).resolves.toBe(false);
  });
});
