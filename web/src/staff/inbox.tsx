import { useState } from 'preact/hooks';
import { ApiProblem, allPages, get } from '../api.ts';
import { formatInstant, t, useLang } from '../i18n.ts';
import { hasRole, type Session, useSession } from '../session.ts';
import { Loading, ProblemBox, TableScroll, useLoad } from '../ui.tsx';
import './messages.ts';
import { enc, isPast } from './operations/common.tsx';
import { Named, type NamedKind, parseEvaluationId } from './operations/names.tsx';

/** One human step a workflow waits on (GET /v1/tasks): the API already filters by the caller's roles and name. */
export interface Task {
  id: string;
  kind: string;
  entityType: string;
  entityId: string;
  status: string;
  dueAt: string;
  createdAt: string;
}

/** Where a task is done: application steps on the application page, the others on their own pages. */
export const taskHref = (task: Pick<Task, 'entityType' | 'entityId'>): string | undefined => {
  if (task.entityType === 'application') return `#/staff/applications/${enc(task.entityId)}`;
  if (task.entityType === 'organisation') return `#/staff/organisations/${enc(task.entityId)}`;
  if (task.entityType === 'evaluation') {
    const e = parseEvaluationId(task.entityId);
    return e ? `#/staff/evaluation/${e.year}/${enc(e.platformId)}` : undefined;
  }
  return undefined;
};

interface ChangeRequest {
  id: string;
  platformId: string;
  hostName?: string;
  kind: string;
  createdAt: string;
}
interface Objection {
  id: string;
  noticeId: string;
  applicationId: string;
  orgName?: string;
  createdAt: string;
}
interface NoticeHead {
  id: string;
  title: string;
  endsAt: string;
  entries: { applicationId: string; orgName: string }[];
}
interface Revocation {
  id: string;
  platformId: string;
  hostName: string;
  ground: string;
  status: string;
  responseDeadline: string;
  responsePeriodEndedAt?: string;
  response?: { at: string };
  createdAt: string;
}
interface CallHead {
  id: string;
  title: string;
}
interface ProposedList {
  callId: string;
  applicationIds: string[];
  status: string;
  proposedAt: string;
}
interface Candidate {
  platformId: string;
  hostName?: string;
  ground: string;
  openRevocationId?: string;
}

/** One inbox row, whatever produced it: a workflow task, a change request, an objection, a case. */
interface Row {
  key: string;
  /** `task.<kind>` for workflow steps, `ops.kind.<kind>` for the others. */
  label: string;
  kind: string;
  href: string | undefined;
  subject: { kind: NamedKind; id: string; known?: string | undefined };
  detail?: string;
  /** When it must be done. */
  dueAt?: string;
  /** Waiting since (no deadline of its own). */
  since?: string;
  /** A revocation case: may the approver decide now? */
  decidable?: boolean;
}

const taskRow = (task: Task): Row => {
  const ev = task.entityType === 'evaluation' ? parseEvaluationId(task.entityId) : undefined;
  const kind: NamedKind =
    task.entityType === 'organisation'
      ? 'organisation'
      : task.entityType === 'evaluation'
        ? 'evaluation'
        : 'application';
  return {
    key: `task-${task.id}`,
    label: `task.${task.kind}`,
    kind: task.kind,
    href: taskHref(task),
    subject: { kind, id: task.entityId },
    ...(ev ? { detail: t('ops.inbox.year', { year: ev.year }) } : {}),
    dueAt: task.dueAt,
  };
};

interface Loaded {
  rows: Row[];
  problems: unknown[];
}

/**
 * Proposed lists waiting for an approver (Art. 8(4)): the list of a call is proposed after it closed,
 * so the recent closed calls' rankings are read (a call without a ranking yet is simply not waiting).
 */
async function proposedLists(): Promise<{ call: CallHead; list: ProposedList }[]> {
  const calls = await get<{ items: CallHead[] }>('/v1/calls?status=closed&limit=20');
  const found = await Promise.all(
    calls.items.map(async (call) => {
      try {
        const r = await get<{ list?: ProposedList }>(`/v1/calls/${enc(call.id)}/ranking`);
        return r.list?.status === 'proposed' ? { call, list: r.list } : undefined;
      } catch (e) {
        if (e instanceof ApiProblem && (e.status === 404 || e.status === 409)) return undefined;
        throw e;
      }
    }),
  );
  return found.filter((x): x is { call: CallHead; list: ProposedList } => Boolean(x));
}

/**
 * Everything waiting for the signed-in person, from each source the role can act on: workflow tasks
 * (GET /v1/tasks: reviews, inspections, expert scoring, USCC verification, evaluation grading); for
 * officers the pending change requests, pending objections (due by the end of their notice) and the
 * system's revocation candidates without a case; for approvers the proposed lists to approve and the
 * open revocation cases (decidable once the host responded or the response deadline passed). A source
 * that fails is reported and the others still listed.
 */
async function loadInbox(s: Session | null): Promise<Loaded> {
  const officer = hasRole(s, 'officer');
  const approver = hasRole(s, 'approver');
  const worker = hasRole(s, 'officer', 'approver', 'expert', 'admin');
  const problems: unknown[] = [];
  const settle = async <T,>(p: Promise<T[]>): Promise<T[]> => {
    try {
      return await p;
    } catch (e) {
      problems.push(e);
      return [];
    }
  };
  const [tasks, changes, objections, revocations, candidates, lists] = await Promise.all([
    worker ? settle(allPages<Task>('/v1/tasks')) : [],
    officer ? settle(allPages<ChangeRequest>('/v1/change-requests?status=pending')) : [],
    officer ? settle(allPages<Objection>('/v1/objections?status=pending')) : [],
    approver
      ? settle(
          Promise.all([
            allPages<Revocation>('/v1/revocations?status=awaiting_response'),
            allPages<Revocation>('/v1/revocations?status=responded'),
          ]).then(([a, b]) => [...a, ...b]),
        )
      : [],
    officer ? settle(allPages<Candidate>('/v1/revocation-candidates')) : [],
    approver ? settle(proposedLists()) : [],
  ]);
  // The due date of an objection is the end of its notice: one read per distinct notice.
  const noticeIds = [...new Set(objections.map((o) => o.noticeId))];
  const notices = new Map<string, NoticeHead>();
  await Promise.all(
    noticeIds.map(async (id) => {
      try {
        notices.set(id, await get<NoticeHead>(`/v1/public/notices/${enc(id)}`));
      } catch (e) {
        problems.push(e);
      }
    }),
  );
  const rows: Row[] = [
    ...tasks.map(taskRow),
    ...changes.map(
      (c): Row => ({
        key: `cr-${c.id}`,
        label: 'ops.kind.change_request',
        kind: 'change_request',
        href: `#/staff/platforms/${enc(c.platformId)}?changeRequest=${enc(c.id)}`,
        subject: { kind: 'platform', id: c.platformId, known: c.hostName },
        detail: t(`ops.change.kind.${c.kind}`),
        since: c.createdAt,
      }),
    ),
    ...objections.map((o): Row => {
      const notice = notices.get(o.noticeId);
      const entry = notice?.entries.find((e) => e.applicationId === o.applicationId);
      return {
        key: `ob-${o.id}`,
        label: 'ops.kind.objection',
        kind: 'objection',
        href: `#/staff/notices/${enc(o.noticeId)}?objection=${enc(o.id)}`,
        subject: { kind: 'application', id: o.applicationId, known: entry?.orgName ?? o.orgName },
        ...(notice ? { detail: notice.title, dueAt: notice.endsAt } : { since: o.createdAt }),
      };
    }),
    ...revocations.map(
      (r): Row => ({
        key: `rv-${r.id}`,
        label: 'ops.kind.revocation_decision',
        kind: 'revocation_decision',
        href: `#/staff/revocations/${enc(r.id)}`,
        subject: { kind: 'platform', id: r.platformId, known: r.hostName },
        detail: t(`ops.ground.${r.ground}`),
        ...(r.status === 'responded'
          ? { since: r.response?.at ?? r.createdAt }
          : { dueAt: r.responseDeadline }),
        decidable: r.status === 'responded' || Boolean(r.responsePeriodEndedAt) || isPast(r.responseDeadline),
      }),
    ),
    ...lists.map(
      ({ call, list }): Row => ({
        key: `pl-${call.id}`,
        label: 'ops.kind.proposed_list',
        kind: 'proposed_list',
        href: `#/staff/calls/${enc(call.id)}`,
        subject: { kind: 'call', id: call.id, known: call.title },
        detail: t('ops.inbox.listSize', { n: list.applicationIds.length }),
        since: list.proposedAt,
      }),
    ),
    ...candidates
      .filter((c) => !c.openRevocationId)
      .map(
        (c): Row => ({
          key: `cand-${c.platformId}-${c.ground}`,
          label: 'ops.kind.revocation_candidate',
          kind: 'revocation_candidate',
          href: `#/staff/platforms/${enc(c.platformId)}?ground=${enc(c.ground)}`,
          subject: { kind: 'platform', id: c.platformId, known: c.hostName },
          detail: t(`ops.ground.${c.ground}`),
        }),
      ),
  ];
  // Soonest first; rows without a deadline by how long they have waited, then those with neither.
  const order = (r: Row) => r.dueAt ?? r.since ?? '9999';
  rows.sort((a, b) => order(a).localeCompare(order(b)));
  return { rows, problems };
}

function When({ row }: { row: Row }) {
  if (row.kind === 'revocation_decision') {
    return (
      <>
        {row.dueAt ? <time dateTime={row.dueAt}>{formatInstant(row.dueAt)}</time> : null}{' '}
        {row.decidable ? (
          <strong>{t('ops.inbox.decidable')}</strong>
        ) : (
          <span>{t('ops.inbox.awaitingResponse')}</span>
        )}
      </>
    );
  }
  if (row.dueAt) {
    return (
      <>
        <time dateTime={row.dueAt}>{formatInstant(row.dueAt)}</time>
        {isPast(row.dueAt) ? <strong class="error"> {t('staff.inbox.overdue')}</strong> : null}
      </>
    );
  }
  if (row.since)
    return (
      <span>
        {t('ops.inbox.since')} <time dateTime={row.since}>{formatInstant(row.since)}</time>
      </span>
    );
  return <span>{t('ops.inbox.noDeadline')}</span>;
}

/**
 * The work inbox: one list of what waits for the signed-in person, soonest due first, filterable by
 * kind; overdue rows are marked in words as well as colour so the highlight does not depend on seeing
 * colour. Each row names what it is about and links to the page where it is done.
 */
export function Inbox() {
  useLang();
  const s = useSession();
  const [filter, setFilter] = useState('all');
  const inbox = useLoad(() => loadInbox(s), [s?.token]);
  const rows = inbox.data?.rows ?? [];
  const kinds = [...new Set(rows.map((r) => r.kind))];
  const labelOf = (kind: string) => t(rows.find((r) => r.kind === kind)?.label ?? kind);
  const shown = filter === 'all' ? rows : rows.filter((r) => r.kind === filter);
  const overdue = rows.filter((r) => r.kind !== 'revocation_decision' && isPast(r.dueAt)).length;
  return (
    <main id="main">
      <h1>{t('staff.inbox')}</h1>
      <p>
        <button type="button" class="secondary" disabled={inbox.loading} onClick={inbox.reload}>
          {t('ops.inbox.refresh')}
        </button>
      </p>
      {inbox.data?.problems.map((p, i) => (
        <ProblemBox key={i} problem={p} />
      ))}
      <ProblemBox problem={inbox.problem} />
      <Loading when={inbox.loading && !inbox.data}>
        {rows.length ? (
          <>
            <p>
              {t('ops.inbox.summary', { n: rows.length })}
              {overdue ? <strong class="error"> {t('ops.inbox.overdueCount', { n: overdue })}</strong> : null}
            </p>
            <div class="field inline-field">
              <label for="inbox-kind">{t('ops.inbox.filter')}</label>
              <select
                id="inbox-kind"
                value={filter}
                onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}
              >
                <option value="all">{t('ops.inbox.all', { n: rows.length })}</option>
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {labelOf(k)} ({rows.filter((r) => r.kind === k).length})
                  </option>
                ))}
              </select>
            </div>
            <TableScroll label={t('staff.inbox')}>
              <table aria-label={t('staff.inbox')}>
                <thead>
                  <tr>
                    <th scope="col">{t('staff.inbox.kind')}</th>
                    <th scope="col">{t('staff.inbox.entity')}</th>
                    <th scope="col">{t('staff.inbox.due')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((row) => (
                    <tr
                      key={row.key}
                      class={row.kind !== 'revocation_decision' && isPast(row.dueAt) ? 'overdue' : undefined}
                    >
                      <td>{row.href ? <a href={row.href}>{t(row.label)}</a> : t(row.label)}</td>
                      <td>
                        <Named kind={row.subject.kind} id={row.subject.id} known={row.subject.known} />
                        {row.detail ? <div class="ops-muted ops-small">{row.detail}</div> : null}
                      </td>
                      <td>
                        <When row={row} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </>
        ) : (
          <p>{t('staff.inbox.empty')}</p>
        )}
      </Loading>
    </main>
  );
}
