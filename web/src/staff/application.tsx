import { useState } from 'preact/hooks';
import { get, newIdempotencyKey, post } from '../api.ts';
import { formatCny, formatInstant, t, useLang } from '../i18n.ts';
import { hasRole, useSession } from '../session.ts';
import {
  DataTable,
  Field,
  fieldError,
  Loading,
  ProblemBox,
  RadioGroup,
  Section,
  Status,
  TableScroll,
  TextAreaField,
  useLoad,
} from '../ui.tsx';
import type { Task } from './inbox.tsx';
import './messages.ts';

/**
 * Application detail for staff and experts (Art. 8): the facts, the Art. 9 findings, the evidence with
 * audited downloads, the experts' scores side by side and the audit timeline; below, the form of
 * whichever step the workflow is waiting on for this caller (found in their own inbox), so a person
 * only sees the decisions they can make. The API still decides every one.
 */
interface Finding {
  rule: string;
  message: string;
}
interface Application {
  id: string;
  callId: string;
  orgName: string;
  uscc: string;
  status: string;
  registeredCapitalCny: number;
  committedEnterprisesPerYear: number;
  partners: unknown[];
  summary: string;
  submittedAt?: string;
  supplementDeadline?: string;
  /** Set when the review workflow failed for good (status `error`). */
  reviewError?: { kind: string; stateName?: string; at: string };
  eligibility: { eligible: boolean; failures: Finding[]; warnings: Finding[]; manualVerification: boolean };
}
interface Criterion {
  key: string;
  title: string;
  weight: number;
  max: number;
}
interface Call {
  id: string;
  title: string;
  requiredEvidence: { kind: string; title: string }[];
  scoringCriteria: Criterion[];
}
interface Evidence {
  evidenceId: string;
  kind: string;
  fileName: string;
  sizeBytes: number;
  status: string;
}
export interface AuditEvent {
  at: string;
  actor: { sub: string; roles: string[] };
  action: string;
  detail: Record<string, unknown>;
}
interface Expert {
  id: string;
  name: string;
  userId: string;
}

const enc = encodeURIComponent;

export function ApplicationDetail({ params }: { params: Record<string, string> }) {
  useLang();
  const s = useSession();
  const id = params.id ?? '';
  const staff = hasRole(s, 'officer', 'approver', 'admin');
  const data = useLoad(async () => {
    const app = await get<Application>(`/v1/applications/${enc(id)}`);
    const [call, evidence, audit, tasks] = await Promise.all([
      get<Call>(`/v1/calls/${enc(app.callId)}`),
      get<{ items: Evidence[] }>(`/v1/applications/${enc(id)}/evidence`),
      staff
        ? get<{ items: AuditEvent[] }>(`/v1/audit?entityId=${enc(id)}&limit=100`)
        : Promise.resolve({ items: [] as AuditEvent[] }),
      get<{ items: Task[] }>('/v1/tasks?limit=100'),
    ]);
    return { app, call, evidence: evidence.items, audit: audit.items, tasks: tasks.items };
  }, [id, staff]);
  const d = data.data;
  // The confirmation lives here, not in the form: the form disappears once its step is done.
  const [notice, setNotice] = useState('');
  const done = (message: string) => {
    setNotice(message);
    data.reload();
  };
  const myTask = (kind: string) => d?.tasks.find((x) => x.entityId === id && x.kind === kind);
  return (
    <main id="main">
      <h1>{t('staff.app')}</h1>
      <p role="status" class="ok">
        {notice}
      </p>
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !d}>
        {d ? (
          <>
            <dl class="staff-facts">
              <dt>{t('staff.app.org')}</dt>
              <dd>{d.app.orgName}</dd>
              <dt>{t('staff.app.uscc')}</dt>
              <dd>
                <code>{d.app.uscc}</code>
              </dd>
              <dt>{t('common.status')}</dt>
              <dd>
                <Status value={d.app.status} />
              </dd>
              <dt>{t('staff.calls.detail')}</dt>
              <dd>{staff ? <a href={`#/staff/calls/${enc(d.call.id)}`}>{d.call.title}</a> : d.call.title}</dd>
              <dt>{t('staff.app.capital')}</dt>
              <dd>{formatCny(d.app.registeredCapitalCny)}</dd>
              <dt>{t('staff.app.enterprises')}</dt>
              <dd>{d.app.committedEnterprisesPerYear}</dd>
              <dt>{t('staff.app.partners')}</dt>
              <dd>{d.app.partners.length}</dd>
              <dt>{t('staff.app.submittedAt')}</dt>
              <dd>{formatInstant(d.app.submittedAt)}</dd>
              {d.app.supplementDeadline ? (
                <>
                  <dt>{t('staff.app.supplementDeadline')}</dt>
                  <dd>{formatInstant(d.app.supplementDeadline)}</dd>
                </>
              ) : null}
            </dl>
            <p>{d.app.summary}</p>
            <Eligibility app={d.app} />
            <EvidenceList appId={id} items={d.evidence} call={d.call} />
            {staff ? <Scores call={d.call} audit={d.audit} /> : null}
            {d.app.status === 'error' && hasRole(s, 'officer') ? (
              <RetryReview app={d.app} onDone={() => done(t('staff.retry.done'))} />
            ) : null}
            {myTask('preliminary_review') ? (
              <PreliminaryForm appId={id} onDone={() => done(t('staff.prelim.done'))} />
            ) : null}
            {myTask('expert_assignment') ? (
              <AssignForm appId={id} onDone={() => done(t('staff.assign.done'))} />
            ) : null}
            {myTask('expert_review') ? (
              <ReviewForm appId={id} call={d.call} onDone={() => done(t('staff.review.done'))} />
            ) : null}
            {myTask('site_inspection') ? (
              <InspectionForm appId={id} onDone={() => done(t('staff.inspection.done'))} />
            ) : null}
            {staff ? <Timeline audit={d.audit} /> : null}
          </>
        ) : null}
      </Loading>
    </main>
  );
}

function Eligibility({ app }: { app: Application }) {
  const e = app.eligibility;
  return (
    <Section title={t('staff.eligibility')}>
      {e.eligible ? (
        <p class="ok">✓ {t('staff.eligibility.ok')}</p>
      ) : (
        <>
          <p class="error">{t('staff.eligibility.failed')}</p>
          <ul>
            {e.failures.map((f) => (
              <li key={f.rule}>
                <code>{f.rule}</code> {f.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {e.warnings.length ? (
        <>
          <p>{t('staff.eligibility.warnings')}</p>
          <ul>
            {e.warnings.map((f) => (
              <li key={f.rule}>
                <code>{f.rule}</code> {f.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}

/** Downloads ask the API for a 5-minute link each time (every download is audited), then open it. */
function EvidenceList({ appId, items, call }: { appId: string; items: Evidence[]; call: Call }) {
  const [problem, setProblem] = useState<unknown>();
  const title = (kind: string) => call.requiredEvidence.find((r) => r.kind === kind)?.title ?? kind;
  const download = async (ev: Evidence) => {
    setProblem(undefined);
    try {
      const { url } = await get<{ url: string }>(
        `/v1/applications/${enc(appId)}/evidence/${enc(ev.evidenceId)}/download`,
      );
      window.open(url, '_blank', 'noopener');
    } catch (e) {
      setProblem(e);
    }
  };
  return (
    <Section title={t('staff.evidence')}>
      <ProblemBox problem={problem} />
      {items.length ? (
        <DataTable
          label={t('staff.evidence')}
          rows={items}
          rowKey={(ev) => ev.evidenceId}
          columns={[
            { header: t('staff.evidence.kind'), cell: (ev) => title(ev.kind) },
            { header: t('staff.evidence.file'), cell: (ev) => ev.fileName },
            { header: t('staff.evidence.size'), cell: (ev) => `${(ev.sizeBytes / 1024).toFixed(1)} KiB` },
            { header: t('common.status'), cell: (ev) => <Status value={ev.status} /> },
            {
              header: t('common.actions'),
              cell: (ev) =>
                ev.status === 'verified' ? (
                  <button
                    type="button"
                    class="link"
                    aria-label={t('staff.evidence.download', { name: ev.fileName })}
                    onClick={() => download(ev)}
                  >
                    ⬇ {ev.fileName}
                  </button>
                ) : null,
            },
          ]}
        />
      ) : (
        <p>{t('common.none')}</p>
      )}
    </Section>
  );
}

/** The experts' reviews come from the audit log (the API keeps no separate list): one column each. */
function Scores({ call, audit }: { call: Call; audit: AuditEvent[] }) {
  const reviews = audit.filter(
    (e) => e.action === 'application.expert_reviewed' || e.action === 'application.expert_conflict_declared',
  );
  if (!reviews.length)
    return (
      <Section title={t('staff.scores')}>
        <p>{t('staff.scores.none')}</p>
      </Section>
    );
  const scoreOf = (e: AuditEvent, key: string) =>
    (e.detail.scores as Record<string, number> | undefined)?.[key];
  return (
    <Section title={t('staff.scores')}>
      <TableScroll label={t('staff.scores')}>
        <table aria-label={t('staff.scores')}>
          <thead>
            <tr>
              <th scope="col">{t('staff.scores.criterion')}</th>
              {reviews.map((r) => (
                <th scope="col" key={r.at}>
                  {t('staff.scores.expert', { id: String(r.detail.expertId ?? r.actor.sub) })}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {call.scoringCriteria.map((c) => (
              <tr key={c.key}>
                <th scope="row">
                  {c.title} ({c.weight} / {c.max})
                </th>
                {reviews.map((r) => (
                  <td key={r.at}>{scoreOf(r, c.key) ?? '—'}</td>
                ))}
              </tr>
            ))}
            <tr>
              <th scope="row">{t('staff.scores.comment')}</th>
              {reviews.map((r) => (
                <td key={r.at}>
                  {r.detail.conflictOfInterest ? <strong>{t('staff.scores.conflict')} </strong> : null}
                  {String(r.detail.comment ?? '')}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </TableScroll>
    </Section>
  );
}

function Timeline({ audit }: { audit: AuditEvent[] }) {
  return (
    <Section title={t('staff.timeline')}>
      <ol class="timeline">
        {audit.map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <time dateTime={e.at}>{formatInstant(e.at)}</time> <code>{e.action}</code> — {e.actor.sub}
          </li>
        ))}
      </ol>
    </Section>
  );
}

/** A form that posts once per action with one Idempotency-Key, so a double click is one decision. */
function useSubmit(onDone: () => void) {
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [key] = useState(newIdempotencyKey);
  const run = async (path: string, body: unknown) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await post(path, body, { idempotencyKey: key });
      onDone();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  };
  return { problem, busy, run };
}

/**
 * A review whose workflow failed for good (a step timed out or errored after its retries) waits in
 * `error` until an officer restarts it from the preliminary review (`POST …/review/retry`); the API
 * refuses once experts were assigned (409 REVIEW_ALREADY_AT_EXPERTS), which is shown as is.
 */
function RetryReview({ app, onDone }: { app: Application; onDone: () => void }) {
  const submit = useSubmit(onDone);
  return (
    <Section title={t('staff.retry.title')}>
      <p>
        {t('staff.retry.explain', {
          kind: app.reviewError?.kind ?? '—',
          step: app.reviewError?.stateName ?? '—',
          at: formatInstant(app.reviewError?.at),
        })}
      </p>
      <ProblemBox problem={submit.problem} />
      <button
        type="button"
        disabled={submit.busy}
        onClick={() => void submit.run(`/v1/applications/${enc(app.id)}/review/retry`, {})}
      >
        {t('staff.retry.submit')}
      </button>
    </Section>
  );
}

function PreliminaryForm({ appId, onDone }: { appId: string; onDone: () => void }) {
  const [decision, setDecision] = useState<'pass' | 'return' | 'reject'>('pass');
  const [opinion, setOpinion] = useState('');
  const [deadline, setDeadline] = useState('');
  const f = useSubmit(onDone);
  return (
    <Section title={t('staff.prelim')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void f.run(`/v1/applications/${enc(appId)}/preliminary-review`, {
            decision,
            opinion,
            ...(decision === 'return' && deadline
              ? { supplementDeadline: new Date(deadline).toISOString() }
              : {}),
          });
        }}
      >
        <RadioGroup
          legend={t('staff.prelim.decision')}
          name="decision"
          options={['pass', 'return', 'reject'] as const}
          value={decision}
          onChange={setDecision}
          optionLabel={(v) => t(`staff.prelim.${v}`)}
        />
        {decision === 'return' ? (
          <Field
            id="supplementDeadline"
            type="datetime-local"
            label={t('staff.prelim.deadline')}
            value={deadline}
            onInput={setDeadline}
            required
            error={fieldError(f.problem, 'supplementDeadline')}
          />
        ) : null}
        <TextAreaField
          required
          id="opinion"
          label={t('staff.prelim.opinion')}
          value={opinion}
          onInput={setOpinion}
          error={fieldError(f.problem, 'opinion')}
        />
        <ProblemBox problem={f.problem} />
        <button type="submit" disabled={f.busy}>
          {t('staff.prelim.submit')}
        </button>
      </form>
    </Section>
  );
}

function AssignForm({ appId, onDone }: { appId: string; onDone: () => void }) {
  const experts = useLoad(() => get<{ items: Expert[] }>('/v1/experts?limit=100'));
  const [chosen, setChosen] = useState<string[]>([]);
  const f = useSubmit(onDone);
  return (
    <Section title={t('staff.assign')}>
      <ProblemBox problem={experts.problem} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void f.run(`/v1/applications/${enc(appId)}/experts`, { expertIds: chosen });
        }}
      >
        <fieldset>
          <legend>{t('staff.assign')}</legend>
          {(experts.data?.items ?? []).map((x) => (
            <label key={x.id} class="choice">
              <input
                type="checkbox"
                checked={chosen.includes(x.id)}
                onChange={(e) =>
                  setChosen((c) =>
                    (e.target as HTMLInputElement).checked ? [...c, x.id] : c.filter((y) => y !== x.id),
                  )
                }
              />{' '}
              {x.name} ({x.userId})
            </label>
          ))}
        </fieldset>
        <ProblemBox problem={f.problem} />
        <button type="submit" disabled={f.busy || !chosen.length}>
          {t('staff.assign.submit')}
        </button>
      </form>
    </Section>
  );
}

/** The call's own criteria, a score each within 0…max; a declared conflict sends no scores (the API's rule). */
function ReviewForm({ appId, call, onDone }: { appId: string; call: Call; onDone: () => void }) {
  const [conflict, setConflict] = useState(false);
  const [noConflict, setNoConflict] = useState(false);
  const [scores, setScores] = useState<Record<string, string>>({});
  const [comment, setComment] = useState('');
  const f = useSubmit(onDone);
  return (
    <Section title={t('staff.review')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void f.run(`/v1/applications/${enc(appId)}/reviews`, {
            conflictOfInterest: conflict,
            ...(conflict
              ? {}
              : {
                  scores: Object.fromEntries(call.scoringCriteria.map((c) => [c.key, Number(scores[c.key])])),
                }),
            comment,
          });
        }}
      >
        <label class="choice">
          <input
            type="checkbox"
            checked={conflict}
            onChange={(e) => setConflict((e.target as HTMLInputElement).checked)}
          />{' '}
          {t('staff.review.conflict')}
        </label>
        {conflict ? null : (
          <>
            {call.scoringCriteria.map((c) => (
              <Field
                key={c.key}
                id={`score-${c.key}`}
                type="number"
                label={t('staff.review.score', { title: c.title, max: c.max })}
                value={scores[c.key] ?? ''}
                onInput={(v) => setScores((x) => ({ ...x, [c.key]: v }))}
                required
                error={fieldError(f.problem, `scores.${c.key}`)}
              />
            ))}
            <label class="choice">
              <input
                type="checkbox"
                required
                checked={noConflict}
                onChange={(e) => setNoConflict((e.target as HTMLInputElement).checked)}
              />{' '}
              {t('staff.review.noConflict')}
            </label>
          </>
        )}
        <TextAreaField
          required
          id="comment"
          label={t('staff.review.comment')}
          value={comment}
          onInput={setComment}
          error={fieldError(f.problem, 'comment')}
        />
        <ProblemBox problem={f.problem} />
        <button type="submit" disabled={f.busy}>
          {t('staff.review.submit')}
        </button>
      </form>
    </Section>
  );
}

function InspectionForm({ appId, onDone }: { appId: string; onDone: () => void }) {
  const [at, setAt] = useState('');
  const [findings, setFindings] = useState('');
  const [passed, setPassed] = useState(true);
  const f = useSubmit(onDone);
  return (
    <Section title={t('staff.inspection')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void f.run(`/v1/applications/${enc(appId)}/site-inspection`, {
            inspectedAt: (at ? new Date(at) : new Date()).toISOString(),
            findings,
            passed,
          });
        }}
      >
        <Field
          id="inspectedAt"
          type="datetime-local"
          label={t('staff.inspection.at')}
          value={at}
          onInput={setAt}
        />
        <TextAreaField
          required
          id="findings"
          label={t('staff.inspection.findings')}
          value={findings}
          onInput={setFindings}
          error={fieldError(f.problem, 'findings')}
        />
        <label class="choice">
          <input
            type="checkbox"
            checked={passed}
            onChange={(e) => setPassed((e.target as HTMLInputElement).checked)}
          />{' '}
          {t('staff.inspection.passed')}
        </label>
        <ProblemBox problem={f.problem} />
        <button type="submit" disabled={f.busy}>
          {t('staff.inspection.submit')}
        </button>
      </form>
    </Section>
  );
}
