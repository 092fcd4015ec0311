import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient, tableName } from '../../functions/adapters/aws-clients.ts';
import {
  DynamoOrganisationStore,
  memberGuardKey,
  orgKey,
  usccGuardKey,
} from '../../functions/adapters/organisation-store.ts';
import { auditKey, Registry } from '../../functions/adapters/registry.ts';
import { type OrganisationDeps, registerOrganisation } from '../../functions/core/organisations.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { fixedClock } from '../../functions/shared/clock.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { useLocalServices } from './support/services.ts';

/**
 * "Every state change and its audit event commit together": force one part of the registration
 * transaction to fail and show that nothing of it was stored.
 */
const NOW = '2026-05-06T07:08:09.000Z';
const AUDIT_ID = '01JAUDIT000000000000000000';

function depsFor(orgId: string): { deps: OrganisationDeps; reg: Registry } {
  const reg = new Registry(dynamoDocumentClient, tableName, { next: () => AUDIT_ID });
  const engine = new RecordingWorkflowEngine();
  return {
    reg,
    deps: {
      orgs: new DynamoOrganisationStore(reg),
      tasks: { current: async () => undefined },
      workflows: async () => engine,
      clock: fixedClock(NOW),
      ids: { next: () => orgId },
    },
  };
}

const input = (uscc: string) => ({
  name: 'Atomic Ltd',
  uscc,
  registeredCapitalCny: 50_000_000,
  address: '中山市石岐区',
  legalRepresentative: '王五',
  contact: { name: '赵六', phone: '0760-12345678', email: 'z@example.cn' },
});

beforeAll(async () => {
  await useLocalServices('atomic');
});

describe('registration transaction', () => {
  it('stores organisation, guards and audit event together', async () => {
    const { deps, reg } = depsFor('ORG-OK');
    const uscc = withCheckChar('91442000MA5AT0M01');
    await registerOrganisation(deps, { sub: 'u-ok', roles: ['applicant'] }, input(uscc));
    expect(await reg.get(orgKey('ORG-OK'))).toBeDefined();
    expect(await reg.get(usccGuardKey(uscc))).toMatchObject({ orgId: 'ORG-OK' });
    expect(await reg.get(memberGuardKey('u-ok'))).toMatchObject({ orgId: 'ORG-OK' });
    expect(await reg.get(auditKey('ORG-OK', NOW, AUDIT_ID))).toMatchObject({
      action: 'organisation.registered',
    });
  });

  it('when the audit event cannot be written, the organisation is not stored either', async () => {
    // Prepare: occupy the exact key the audit event will use
    const { deps, reg } = depsFor('ORG-NOAUDIT');
    const uscc = withCheckChar('91442000MA5AT0M02');
    await reg.transact({
      ops: [{ kind: 'put', item: { ...auditKey('ORG-NOAUDIT', NOW, AUDIT_ID), type: 'blocker' } }],
    });
    // Act
    await expect(
      registerOrganisation(deps, { sub: 'u-noaudit', roles: ['applicant'] }, input(uscc)),
    ).rejects.toThrow(/audit event key collision/);
    // Assess
    expect(await reg.get(orgKey('ORG-NOAUDIT'))).toBeUndefined();
    expect(await reg.get(usccGuardKey(uscc))).toBeUndefined();
    expect(await reg.get(memberGuardKey('u-noaudit'))).toBeUndefined();
  });

  it('when the organisation cannot be written, no audit event is stored', async () => {
    // Prepare: the USCC is taken, so the transaction is cancelled
    const { deps, reg } = depsFor('ORG-DUP');
    const uscc = withCheckChar('91442000MA5AT0M03');
    await reg.transact({
      ops: [{ kind: 'put', item: { ...usccGuardKey(uscc), type: 'guard', orgId: 'someone' } }],
    });
    // Act
    await expect(
      registerOrganisation(deps, { sub: 'u-dup', roles: ['applicant'] }, input(uscc)),
    ).rejects.toMatchObject({
      status: 409,
      code: 'USCC_ALREADY_REGISTERED',
    });
    // Assess
    expect(await reg.get(auditKey('ORG-DUP', NOW, AUDIT_ID))).toBeUndefined();
    expect((await reg.listAudit('ORG-DUP', 10)).items).toEqual([]);
    expect(await reg.get(orgKey('ORG-DUP'))).toBeUndefined();
    expect(await reg.get(memberGuardKey('u-dup'))).toBeUndefined();
  });

  it('a stale version is a 409 STALE_VERSION and changes nothing', async () => {
    const { reg } = depsFor('unused');
    await reg.transact({ ops: [{ kind: 'put', item: { pk: 'X#1', sk: 'X', version: 2, v: 'a' } }] });
    await expect(
      reg.transact({
        ops: [
          { kind: 'update', key: { pk: 'X#1', sk: 'X' }, set: { v: 'b' }, expectVersion: 1, entity: 'X 1' },
        ],
      }),
    ).rejects.toMatchObject({ status: 409, code: 'STALE_VERSION' });
    await reg.transact({
      ops: [{ kind: 'update', key: { pk: 'X#1', sk: 'X' }, set: { v: 'c' }, expectVersion: 2 }],
    });
    expect(await reg.get({ pk: 'X#1', sk: 'X' })).toMatchObject({ v: 'c', version: 3 });
  });
});

describe('counters: add and upsert (the voucher ledger moves amounts without reading first)', () => {
  const key = { pk: 'COUNTER#atomic', sk: 'C' };
  const take = (n: number) => ({
    kind: 'update' as const,
    key,
    add: { available: -n, issued: n },
    condition: { expression: 'available >= :n', values: { ':n': n } },
    onConflict: () => new Error('EXHAUSTED'),
  });

  it('creates a counter item with upsert, refuses an update of a missing item without it', async () => {
    const reg = new Registry();
    await expect(reg.transact({ ops: [{ kind: 'update', key, add: { available: 10 } }] })).rejects.toThrow();
    await reg.transact({ ops: [{ kind: 'update', key, add: { available: 10 }, upsert: true }] });
    expect(await reg.get(key)).toMatchObject({ available: 10 });
  });

  it.each([
    [9, 1],
    [10, 0],
  ])('takes %i of what is left atomically (left %i), and refuses one more than is left', async (n, left) => {
    const reg = new Registry();
    const start = Number((await reg.get(key))?.available ?? 0);
    await reg.transact({ ops: [{ kind: 'update', key, add: { available: 10 - start }, upsert: true }] });
    await expect(reg.transact({ ops: [take(11)] })).rejects.toThrow('EXHAUSTED');
    await reg.transact({ ops: [take(n)] });
    expect(await reg.get(key)).toMatchObject({ available: left });
    await reg.transact({ ops: [{ kind: 'update', key, add: { available: n, issued: -n } }] });
  });

  it('concurrent takes never overspend: 10 racing takes of 3 from 10 → at most 3 succeed, never negative', async () => {
    const reg = new Registry();
    const start = Number((await reg.get(key))?.available ?? 0);
    await reg.transact({
      ops: [{ kind: 'update', key, add: { available: 10 - start, issued: 0 }, upsert: true }],
    });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => reg.transact({ ops: [take(3)] })),
    );
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const item = await reg.get(key);
    expect(won).toBeLessThanOrEqual(3);
    expect(item?.available).toBe(10 - 3 * won);
    expect(Number(item?.available)).toBeGreaterThanOrEqual(0);
  });
});
