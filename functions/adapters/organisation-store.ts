import type { AuditEvent } from '../core/audit.ts';
import type { HumanTask } from '../core/human-tasks.ts';
import { notificationItem } from '../core/notifications.ts';
import type { Organisation, OrganisationMembership, OrganisationRepo } from '../core/organisations.ts';
import type { VerificationOutcomeRepo } from '../core/verification-outcome.ts';
import { ConflictError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { finishTaskOps } from './human-task-store.ts';
import { type Item, type Key, type Registry, registry, type TransactInput } from './registry.ts';

/**
 * Organisations in the registry:
 * - `ORG#<id>` / `ORG`: the organisation; gsi1 `ORGS` / `<createdAt>#<id>` (staff listing by creation);
 * - `USCC#<code>` / `GUARD`: one organisation per unified social credit code;
 * - `MEMBER#<sub>` / `GUARD`: one organisation per applicant account.
 */
export const orgKey = (id: string): Key => ({ pk: `ORG#${id}`, sk: 'ORG' });
export const usccGuardKey = (uscc: string): Key => ({ pk: `USCC#${uscc}`, sk: 'GUARD' });
export const memberGuardKey = (sub: string): Key => ({ pk: `MEMBER#${sub}`, sk: 'GUARD' });

const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk'];

function itemToOrganisation(item: Item): Organisation {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as unknown as Organisation;
}

export class DynamoOrganisationStore implements OrganisationRepo, OrganisationMembership {
  constructor(private readonly reg: Registry = registry()) {}

  async create(org: Organisation, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'put',
          item: { ...memberGuardKey(org.createdBy), type: 'guard', orgId: org.id, createdAt: org.createdAt },
          ifNew: true,
          onConflict: () =>
            new ConflictError(
              'ALREADY_HAS_ORGANISATION',
              'Your account already belongs to an organisation; each applicant account registers one organisation.',
            ),
        },
        {
          kind: 'put',
          item: { ...usccGuardKey(org.uscc), type: 'guard', orgId: org.id, createdAt: org.createdAt },
          ifNew: true,
          onConflict: () =>
            new ConflictError(
              'USCC_ALREADY_REGISTERED',
              `An organisation with unified social credit code ${org.uscc} is already registered.`,
            ),
        },
        {
          kind: 'put',
          item: {
            ...orgKey(org.id),
            type: 'organisation',
            ...org,
            gsi1pk: 'ORGS',
            gsi1sk: `${org.createdAt}#${org.id}`,
          },
          ifNew: true,
        },
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async get(id: string): Promise<Organisation | undefined> {
    const item = await this.reg.get(orgKey(id));
    return item ? itemToOrganisation(item) : undefined;
  }

  async organisationIdOf(sub: string): Promise<string | undefined> {
    const guard = await this.reg.get(memberGuardKey(sub));
    return typeof guard?.orgId === 'string' ? guard.orgId : undefined;
  }

  async decideVerification(
    org: Organisation,
    expectedVersion: number,
    task: HumanTask,
    audit: AuditEvent,
  ): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'update',
          key: orgKey(org.id),
          set: { verification: org.verification, updatedAt: org.updatedAt },
          expectVersion: expectedVersion,
          entity: `Organisation ${org.id}`,
        },
        ...finishTaskOps(task, 'completed', org.updatedAt),
      ],
      audit: [audit],
    });
  }
}

class AlreadyDone extends Error {}

/** Notifications and failure records of the verification workflow (idempotent puts). */
export class DynamoVerificationOutcomeStore implements VerificationOutcomeRepo {
  constructor(
    private readonly reg: Registry = registry(),
    private readonly orgs: DynamoOrganisationStore = new DynamoOrganisationStore(reg),
  ) {}

  getOrganisation(id: string): Promise<Organisation | undefined> {
    return this.orgs.get(id);
  }

  async notifyMembers(
    org: Organisation,
    notification: Record<string, unknown>,
    audit: AuditEvent,
  ): Promise<boolean> {
    const { event, at, ...detail } = notification;
    const status = String(detail.status ?? org.verification.status);
    return this.onceOnly({
      ops: org.memberSubs.map((sub) => ({
        kind: 'put',
        item: notificationItem({
          recipient: { sub },
          event: String(event ?? 'organisation.verification_outcome'),
          entityType: 'organisation',
          entityId: org.id,
          title: `统一社会信用代码人工核验结果：${status} / Manual USCC verification outcome: ${status}`,
          detail,
          // The decision's own instant: a retried step writes the same item (written once).
          at: org.verification.decidedAt ?? String(at),
          dedupeKey: `verification#${org.id}`,
        }),
        ifNew: true,
        onConflict: () => new AlreadyDone(),
      })),
      audit: [audit],
    });
  }

  async recordWorkflowFailure(
    executionName: string,
    failure: Record<string, unknown>,
    audit: AuditEvent,
  ): Promise<boolean> {
    return this.onceOnly({
      ops: [
        {
          kind: 'put',
          item: { pk: `WFFAIL#${executionName}`, sk: 'FAILURE', type: 'workflow_failure', ...failure },
          ifNew: true,
          onConflict: () => new AlreadyDone(),
        },
      ],
      audit: [audit],
    });
  }

  private async onceOnly(input: TransactInput): Promise<boolean> {
    try {
      await this.reg.transact(input);
      return true;
    } catch (e) {
      if (e instanceof AlreadyDone) return false;
      throw e;
    }
  }
}
