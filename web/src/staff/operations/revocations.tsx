import { useState } from 'preact/hooks';
import { allPages, get, type PageOf, post } from '../../api.ts';
import { formatInstant, t, useLang } from '../../i18n.ts';
import { hasRole, useSession } from '../../session.ts';
import {
  DataTable,
  fieldError,
  Loading,
  ProblemBox,
  RadioGroup,
  Section,
  SelectField,
  Status,
  TextAreaField,
  useLoad,
} from '../../ui.tsx';
import type { AuditEvent } from '../application.tsx';
import { enc, Facts, isPast, Notice, useAction } from './common.tsx';
import { Downloads } from './platform.tsx';

/**
 * Revocation (Art. 13). `#/staff/revocations`: the system's candidates (two consecutive unqualified
 * years; an overdue self-evaluation report) with the facts, "open a case" for officers, and the cases by
 * status. `#/staff/revocations/:id`: the case — ground, description, evidence, response deadline, the
 * host's statement, the audit timeline — and the approver's decision (revoke / dismiss with reasons),
 * possible once the host responded or the response deadline passed.
 */
interface GradeRecord {
  year: number;
  status: string;
  grade?: string;
}
interface GroundFacts {
  years: number[];
  evaluations: GradeRecord[];
  bridgedOverdueYears?: number[];
}
interface Candidate {
  platformId: string;
  hostName?: string;
  ground: string;
  facts: GroundFacts;
  openRevocationId?: string;
}
interface Manifest {
  evidenceId: string;
  sha256: string;
  fileName?: string;
  kind?: string;
}
export interface Revocation {
  id: string;
  platformId: string;
  orgId: string;
  hostName: string;
  ground: string;
  description: string;
  facts?: GroundFacts;
  evidence: Manifest[];
  responseDeadline: string;
  status: string;
  openedBy: string;
  createdAt: string;
  updatedAt: string;
  response?: { statement: string; evidence: Manifest[]; by: string; at: string };
  decision?: { decision: string; opinion: string; by: string; at: string };
  responsePeriodEndedAt?: string;
  version: number;
}

const STATUSES = ['awaiting_response', 'responded', 'revoked', 'dismissed'] as const;

/** The facts a system ground rests on, in words: each year's evaluation outcome. */
function FactsText({ facts }: { facts: GroundFacts | undefined }) {
  if (!facts) return <>—</>;
  return (
    <ul class="plain-list">
      {facts.evaluations.map((e) => (
        <li key={e.year}>
          {t('ops.facts.year', { year: e.year })}: {e.grade ? t(`grade.${e.grade}`) : t(`status.${e.status}`)}
        </li>
      ))}
      {facts.bridgedOverdueYears?.length ? (
        <li>{t('ops.facts.bridged', { years: facts.bridgedOverdueYears.join('、') })}</li>
      ) : null}
    </ul>
  );
}

export function Revocations() {
  useLang();
  const s = useSession();
  const candidates = hasRole(s, 'officer', 'approver');
  return (
    <main id="main">
      <h1>{t('ops.revocations')}</h1>
      <p>{t('ops.revocations.intro')}</p>
      {candidates ? <Candidates officer={hasRole(s, 'officer')} /> : null}
      <Cases />
    </main>
  );
}

function Candidates({ officer }: { officer: boolean }) {
  const list = useLoad(() => allPages<Candidate>('/v1/revocation-candidates'));
  return (
    <Section title={t('ops.candidates')}>
      <p>{t('ops.candidates.intro')}</p>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {list.data?.length ? (
          <DataTable<Candidate>
            label={t('ops.candidates')}
            rows={list.data}
            rowKey={(c) => `${c.platformId}-${c.ground}`}
            columns={[
              {
                header: t('staff.registry.host'),
                cell: (c) => (
                  <a href={`#/staff/platforms/${enc(c.platformId)}`}>{c.hostName ?? c.platformId}</a>
                ),
              },
              {
                header: t('ops.revoke.ground'),
                cell: (c) => (
                  <>
                    {t(`ops.ground.${c.ground}`)}
                    <div class="ops-small ops-muted">{t(`ops.groundHint.${c.ground}`)}</div>
                  </>
                ),
              },
              { header: t('ops.candidates.facts'), cell: (c) => <FactsText facts={c.facts} /> },
              {
                header: t('common.actions'),
                cell: (c) =>
                  c.openRevocationId ? (
                    <a href={`#/staff/revocations/${enc(c.openRevocationId)}`}>
                      {t('ops.candidates.openCase')}
                    </a>
                  ) : officer ? (
                    <a
                      href={`#/staff/platforms/${enc(c.platformId)}?ground=${enc(c.ground)}`}
                      aria-label={t('ops.candidates.startNamed', { name: c.hostName ?? c.platformId })}
                    >
                      {t('ops.revoke.start')}
                    </a>
                  ) : (
                    t('ops.candidates.noCase')
                  ),
              },
            ]}
          />
        ) : (
          <p>{t('ops.candidates.none')}</p>
        )}
      </Loading>
    </Section>
  );
}

function Cases() {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(
    () =>
      get<PageOf<Revocation>>(
        `/v1/revocations?limit=50${status ? `&status=${status}` : ''}${cursor ? `&cursor=${enc(cursor)}` : ''}`,
      ),
    [status, cursor],
  );
  return (
    <Section title={t('ops.cases')}>
      <SelectField<string>
        id="case-status"
        label={t('ops.cases.filter')}
        value={status}
        onChange={(v) => {
          setStatus(v);
          setCursors([]);
        }}
        empty={t('ops.cases.all')}
        options={STATUSES}
        optionLabel={(x) => t(`status.${x}`)}
      />
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        {list.data?.items.length ? (
          <DataTable<Revocation>
            label={t('ops.cases')}
            rows={list.data.items}
            rowKey={(r) => r.id}
            columns={[
              {
                header: t('staff.registry.host'),
                cell: (r) => <a href={`#/staff/revocations/${enc(r.id)}`}>{r.hostName}</a>,
              },
              { header: t('ops.revoke.ground'), cell: (r) => t(`ops.ground.${r.ground}`) },
              { header: t('common.status'), cell: (r) => <Status value={r.status} /> },
              { header: t('ops.revoke.deadline'), cell: (r) => formatInstant(r.responseDeadline) },
              { header: t('ops.cases.opened'), cell: (r) => formatInstant(r.createdAt) },
            ]}
          />
        ) : (
          <p>{t('ops.cases.none')}</p>
        )}
      </Loading>
      <div class="ops-pager">
        {cursors.length ? (
          <button type="button" class="secondary" onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t('ops.previous')}
          </button>
        ) : null}{' '}
        {list.data?.nextCursor ? (
          <button
            type="button"
            class="secondary"
            onClick={() => setCursors((c) => [...c, list.data?.nextCursor ?? ''])}
          >
            {t('common.next')}
          </button>
        ) : null}
      </div>
    </Section>
  );
}

export function RevocationPage({ params }: { params: Record<string, string> }) {
  useLang();
  const s = useSession();
  const id = params.id ?? '';
  const approver = hasRole(s, 'approver');
  const data = useLoad(async () => {
    const [rev, audit] = await Promise.all([
      get<Revocation>(`/v1/revocations/${enc(id)}`),
      get<{ items: AuditEvent[] }>(`/v1/audit?entityId=${enc(id)}&limit=100`).catch(() => ({
        items: [] as AuditEvent[],
      })),
    ]);
    return { rev, audit: audit.items };
  }, [id]);
  const [done, setDone] = useState('');
  const d = data.data;
  const r = d?.rev;
  const open = r?.status === 'awaiting_response' || r?.status === 'responded';
  const decidable =
    r && (r.status === 'responded' || Boolean(r.responsePeriodEndedAt) || isPast(r.responseDeadline));
  return (
    <main id="main">
      <h1>{r ? t('ops.revoke.caseOf', { name: r.hostName }) : t('ops.revoke.caseTitle')}</h1>
      <Notice text={done} />
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !d}>
        {r && d ? (
          <>
            <Facts
              rows={[
                [
                  t('staff.registry.host'),
                  <a key="p" href={`#/staff/platforms/${enc(r.platformId)}`}>
                    {r.hostName}
                  </a>,
                ],
                [t('common.status'), <Status key="s" value={r.status} />],
                [
                  t('ops.revoke.ground'),
                  <>
                    {t(`ops.ground.${r.ground}`)}
                    <div class="ops-small ops-muted">{t(`ops.groundHint.${r.ground}`)}</div>
                  </>,
                ],
                r.facts && [t('ops.candidates.facts'), <FactsText key="f" facts={r.facts} />],
                [t('ops.revoke.description'), r.description],
                [t('ops.cases.opened'), `${formatInstant(r.createdAt)} · ${r.openedBy}`],
                [t('ops.revoke.deadline'), formatInstant(r.responseDeadline)],
                [
                  t('ops.revoke.evidence'),
                  r.evidence.length ? (
                    <Downloads key="e" platformId={r.platformId} files={r.evidence} />
                  ) : (
                    t('common.none')
                  ),
                ],
              ]}
            />
            <Section title={t('ops.revoke.response')}>
              {r.response ? (
                <Facts
                  rows={[
                    [t('ops.revoke.statement'), r.response.statement],
                    [t('ops.revoke.respondedAt'), `${formatInstant(r.response.at)} · ${r.response.by}`],
                    r.response.evidence.length > 0 && [
                      t('ops.revoke.evidence'),
                      <Downloads key="e" platformId={r.platformId} files={r.response.evidence} />,
                    ],
                  ]}
                />
              ) : (
                <p>
                  {r.responsePeriodEndedAt || isPast(r.responseDeadline)
                    ? t('ops.revoke.noResponseEnded')
                    : t('ops.revoke.noResponseYet', { date: formatInstant(r.responseDeadline) })}
                </p>
              )}
            </Section>
            {r.decision ? (
              <Section title={t('ops.revoke.decision')}>
                <Facts
                  rows={[
                    [t('ops.revoke.decision'), t(`ops.revoke.${r.decision.decision}`)],
                    [t('ops.revoke.reasons'), r.decision.opinion],
                    [t('ops.decidedAt'), `${formatInstant(r.decision.at)} · ${r.decision.by}`],
                  ]}
                />
              </Section>
            ) : null}
            {approver && open ? (
              decidable ? (
                <DecisionForm
                  rev={r}
                  onDone={(revoked) => {
                    setDone(t(revoked ? 'ops.revoke.revokedDone' : 'ops.revoke.dismissedDone'));
                    data.reload();
                  }}
                />
              ) : (
                <p>{t('ops.revoke.notYet', { date: formatInstant(r.responseDeadline) })}</p>
              )
            ) : null}
            {d.audit.length ? (
              <Section title={t('staff.timeline')}>
                <ol class="timeline">
                  {d.audit.map((e, i) => (
                    <li key={`${e.at}-${i}`}>
                      <time dateTime={e.at}>{formatInstant(e.at)}</time>{' '}
                      {t(`ops.audit.${e.action}`) === `ops.audit.${e.action}` ? (
                        <code>{e.action}</code>
                      ) : (
                        t(`ops.audit.${e.action}`)
                      )}{' '}
                      — {e.actor.sub}
                    </li>
                  ))}
                </ol>
              </Section>
            ) : null}
          </>
        ) : null}
      </Loading>
    </main>
  );
}

function DecisionForm({ rev, onDone }: { rev: Revocation; onDone: (revoked: boolean) => void }) {
  const [decision, setDecision] = useState<'revoke' | 'dismiss' | undefined>();
  const [opinion, setOpinion] = useState('');
  const a = useAction();
  return (
    <Section title={t('ops.revoke.decide')}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (!decision) return;
          const r = await a.run((key) =>
            post(
              `/v1/revocations/${enc(rev.id)}/decision`,
              { decision, opinion, version: rev.version },
              { idempotencyKey: key },
            ),
          );
          if (r) onDone(decision === 'revoke');
        }}
      >
        <RadioGroup
          legend={t('ops.revoke.decision')}
          name="revocation-decision"
          required
          options={['revoke', 'dismiss'] as const}
          value={decision}
          onChange={setDecision}
          optionLabel={(v) => t(`ops.revoke.${v}`)}
        />
        {decision === 'revoke' ? <p class="error">{t('ops.revoke.warning')}</p> : null}
        <TextAreaField
          required
          id="revocation-opinion"
          label={t('ops.revoke.reasons')}
          value={opinion}
          onInput={setOpinion}
          error={fieldError(a.problem, 'opinion')}
        />
        <ProblemBox problem={a.problem} />
        <button type="submit" class={decision === 'revoke' ? 'danger' : undefined} disabled={a.busy}>
          {t('ops.revoke.decideSubmit')}
        </button>
      </form>
    </Section>
  );
}
