import { ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal } from '../shared/roles.ts';
import type { Application } from './applications.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import type { Clock, IdSource } from './ports.ts';
import { checkUscc, normaliseUscc } from './uscc.ts';

/**
 * Experts of the comprehensive review (Art. 8(3)) and the conflict-of-interest rule that keeps it
 * impartial (Art. 9(2) "neutral position"): an expert may not review an application when their employer
 * is the applicant, a consortium member or a partner institution.
 */
export interface ExpertInput {
  /** The expert's user account (`sub`): what links a signed-in expert to this record. */
  readonly userId: string;
  readonly name: string;
  readonly employerUscc: string;
  readonly fields: readonly string[];
}

export interface Expert extends ExpertInput {
  readonly id: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly version: number;
}

export interface ExpertRepo {
  /** One transaction: the expert, the `EXPERTUSER#<sub>` guard (→ 409 EXPERT_ALREADY_REGISTERED), audit. */
  create(expert: Expert, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  get(id: string): Promise<Expert | undefined>;
  getByUser(sub: string): Promise<Expert | undefined>;
  list(limit: number, cursor?: string): Promise<{ items: Expert[]; nextCursor?: string }>;
}

export interface ExpertDeps {
  readonly experts: ExpertRepo;
  readonly clock: Clock;
  readonly ids: IdSource;
}

/** `POST /v1/experts` (Art. 8(3)): registers an expert; one expert record per user account. */
export async function registerExpert(
  deps: ExpertDeps,
  principal: Principal,
  input: ExpertInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: Expert }> {
  const employerUscc = normaliseUscc(input.employerUscc);
  const check = checkUscc(employerUscc);
  if (!check.valid) {
    throw new ValidationError(`employerUscc: ${check.problems.join('; ')}`, [
      { path: 'body.employerUscc', message: check.problems.join('; ') },
    ]);
  }
  const now = deps.clock.now();
  const expert: Expert = {
    id: deps.ids.next(),
    userId: input.userId,
    name: input.name,
    employerUscc,
    fields: [...new Set(input.fields)],
    createdAt: now.toISOString(),
    createdBy: principal.sub,
    version: 1,
  };
  const audit = auditEvent(now, actorOf(principal), 'expert.registered', 'expert', expert.id, {
    userId: expert.userId,
    name: expert.name,
    employerUscc,
    fields: expert.fields,
  });
  await deps.experts.create(
    expert,
    audit,
    idempotency ? { ...idempotency, response: { status: 201, body: expert }, at: now } : undefined,
  );
  return { status: 201, body: expert };
}

/** `GET /v1/experts`: the expert pool, for officers and admins. */
export function listExperts(
  deps: Pick<ExpertDeps, 'experts'>,
  query: { limit: number; cursor?: string },
): Promise<{ items: Expert[]; nextCursor?: string }> {
  return deps.experts.list(query.limit, query.cursor);
}

export type ConflictParty = 'applicant' | 'consortium_member' | 'partner';

export interface Conflict {
  readonly expertId: string;
  readonly expertName: string;
  readonly party: ConflictParty;
  readonly partyName: string;
  readonly uscc: string;
}

/**
 * Art. 8(3), Art. 9(2): the conflicts of interest of an expert with an application — the expert's
 * employer USCC equals the applicant's, a consortium member's or a partner institution's
 * (compared normalised: trimmed, upper case).
 */
export function conflictsOf(
  expert: Pick<Expert, 'id' | 'name' | 'employerUscc'>,
  app: Pick<Application, 'uscc' | 'orgName' | 'consortium' | 'partners'>,
): Conflict[] {
  const employer = normaliseUscc(expert.employerUscc);
  const base = { expertId: expert.id, expertName: expert.name };
  const same = (uscc: string | undefined): boolean => !!uscc && normaliseUscc(uscc) === employer;
  const out: Conflict[] = [];
  if (same(app.uscc)) out.push({ ...base, party: 'applicant', partyName: app.orgName, uscc: employer });
  for (const m of app.consortium) {
    if (same(m.uscc)) out.push({ ...base, party: 'consortium_member', partyName: m.name, uscc: employer });
  }
  for (const p of app.partners) {
    if (same(p.uscc)) out.push({ ...base, party: 'partner', partyName: p.name, uscc: employer });
  }
  return out;
}
