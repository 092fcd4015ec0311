import { useState } from 'preact/hooks';
import { evaluationScore, gradeFor } from '../../../../functions/core/grading.ts';
import { ApiProblem, get, post } from '../../api.ts';
import { formatInstant, t, useLang } from '../../i18n.ts';
import { hasRole, useSession } from '../../session.ts';
import {
  fieldError,
  Loading,
  ProblemBox,
  Section,
  SelectField,
  Status,
  TableScroll,
  useLoad,
} from '../../ui.tsx';
import type { Cycle } from '../evaluation.tsx';
import { enc, openPlatformEvidence } from './common.tsx';
import './messages.ts';

/**
 * One platform's evaluation of a year (Art. 12): the self-evaluation report (narrative and figures),
 * the voucher ledger's own count of enterprises served against the Art. 9(4) commitment, the report's
 * evidence with audited downloads, the grade once given, and the officer's grading form — one score per
 * criterion of the cycle, the weighted score and band grade previewed with the server's own arithmetic
 * (`functions/core/grading.ts`), an override only with a reason. An observer (Art. 11) is told in words
 * which parts the data owner has not shared (`withheld`: the report, the ledger figures; the evidence
 * files without an `evidence` consent) instead of seeing them as missing.
 */
interface Report {
  enterprisesServed: number;
  partnerCount: number;
  cases: number;
  vouchersIssued: number;
  vouchersSettled: number;
  narrative: string;
  evidenceIds: string[];
}
interface Evaluation {
  id: string;
  year: number;
  platformId: string;
  hostName: string;
  status: string;
  reportDeadline: string;
  report?: Report;
  reportSubmittedAt?: string;
  evidenceManifest?: { evidenceId: string; kind: string; sha256: string; fileName?: string }[];
  scores?: Record<string, number>;
  score?: number;
  bandGrade?: string;
  grade?: string;
  overrideReason?: string;
  gradedBy?: string;
  gradedAt?: string;
  publishedAt?: string;
  ledgerFigures?: { enterprisesServed: number; committedEnterprises: number; meetsCommitment: boolean };
  /** Observers only (Art. 11): the sharing scopes this view leaves out for want of a valid consent. */
  withheld?: ('evidence' | 'reports' | 'vouchers')[];
}
interface PlatformEvidence {
  evidenceId: string;
  kind: string;
  fileName: string;
  sizeBytes?: number;
  status: string;
}

const GRADES = ['excellent', 'good', 'qualified', 'unqualified'] as const;

export function EvaluationDetail({ params }: { params: Record<string, string> }) {
  useLang();
  const s = useSession();
  const officer = hasRole(s, 'officer');
  const year = Number(params.year);
  const platformId = params.platformId ?? '';
  const data = useLoad(async () => {
    const [evaluation, cycle] = await Promise.all([
      get<Evaluation>(`/v1/evaluation-cycles/${year}/platforms/${enc(platformId)}`),
      get<Cycle>(`/v1/evaluation-cycles/${year}`),
    ]);
    // File names of the report's evidence (observers may lack the owner's consent: then ids only).
    let evidenceShared = true;
    const files = await get<{ items: PlatformEvidence[] }>(`/v1/platforms/${enc(platformId)}/evidence`)
      .then((r) => r.items)
      .catch((err: unknown) => {
        if (err instanceof ApiProblem && err.code === 'NO_SHARING_CONSENT') evidenceShared = false;
        return [] as PlatformEvidence[];
      });
    return { evaluation, cycle, files, evidenceShared };
  }, [year, platformId]);
  const [notice, setNotice] = useState('');
  const d = data.data;
  const e = d?.evaluation;
  const withheld = new Set(e?.withheld ?? []);
  return (
    <main id="main">
      <p>
        <a href="#/staff/evaluation">← {t('staff.grades')}</a>
      </p>
      <h1>{e ? t('fin.evald.title', { host: e.hostName, year }) : t('fin.evald.titleShort')}</h1>
      <p role="status" class="ok">
        {notice}
      </p>
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !d}>
        {d && e ? (
          <>
            {e.withheld ? (
              <p class="share-note" id="sharing-note">
                {t('fin.share.eval')}
              </p>
            ) : null}
            <dl class="staff-facts">
              <dt>{t('staff.registry.host')}</dt>
              <dd>{e.hostName}</dd>
              <dt>{t('fin.evald.platform')}</dt>
              <dd>
                <code>{e.platformId}</code>
              </dd>
              <dt>{t('common.status')}</dt>
              <dd>
                <Status value={e.status} />
              </dd>
              <dt>{t('fin.eval.deadline')}</dt>
              <dd>{formatInstant(e.reportDeadline)}</dd>
              <dt>{t('fin.eval.submittedAt')}</dt>
              <dd>
                {withheld.has('reports') ? t('fin.share.notShared') : formatInstant(e.reportSubmittedAt)}
              </dd>
            </dl>
            <ReportView e={e} withheld={withheld.has('reports')} />
            <LedgerCheck e={e} withheld={withheld.has('vouchers')} />
            <EvidenceView
              e={e}
              files={d.files}
              reportWithheld={withheld.has('reports')}
              filesShared={d.evidenceShared}
            />
            <GradeView e={e} cycle={d.cycle} />
            {officer &&
            d.cycle.status === 'open' &&
            (e.status === 'report_submitted' || e.status === 'graded') ? (
              <GradeForm
                e={e}
                cycle={d.cycle}
                onDone={(grade, score) => {
                  setNotice(t('fin.evald.graded', { grade: t(`grade.${grade}`), score }));
                  data.reload();
                }}
              />
            ) : null}
          </>
        ) : null}
      </Loading>
    </main>
  );
}

function ReportView({ e, withheld }: { e: Evaluation; withheld: boolean }) {
  const r = e.report;
  return (
    <Section title={t('fin.evald.report')}>
      {withheld ? (
        <p class="share-note" id="report-withheld">
          <strong>{t('fin.share.notShared')}</strong> · {t('fin.share.eval.reports')}
        </p>
      ) : r ? (
        <>
          {e.status === 'awaiting_report' ? <p class="fin-note">{t('fin.evald.draft')}</p> : null}
          <TableScroll label={t('fin.evald.figures')}>
            <table aria-label={t('fin.evald.figures')}>
              <tbody>
                {(
                  ['enterprisesServed', 'partnerCount', 'cases', 'vouchersIssued', 'vouchersSettled'] as const
                ).map((k) => (
                  <tr key={k}>
                    <th scope="row">{t(`fin.evald.${k}`)}</th>
                    <td>{r[k]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <h3>{t('fin.evald.narrative')}</h3>
          <p class="fin-prose">{r.narrative}</p>
        </>
      ) : (
        <p>{t('fin.evald.noReport')}</p>
      )}
    </Section>
  );
}

/** Art. 6(3) → Art. 12: what the voucher ledger counts, beside what the host reported. */
function LedgerCheck({ e, withheld }: { e: Evaluation; withheld: boolean }) {
  const l = e.ledgerFigures;
  if (withheld) {
    return (
      <Section title={t('fin.evald.ledger')}>
        <p class="share-note" id="ledger-withheld">
          <strong>{t('fin.share.notShared')}</strong> · {t('fin.share.eval.vouchers')}
        </p>
      </Section>
    );
  }
  if (!l) return null;
  const reported = e.report?.enterprisesServed;
  return (
    <Section title={t('fin.evald.ledger')}>
      <p>
        {t('fin.evald.ledgerServed', {
          n: l.enterprisesServed,
          committed: l.committedEnterprises,
          year: e.year,
        })}{' '}
        <strong class={l.meetsCommitment ? 'ok' : 'error'}>
          {l.meetsCommitment ? `✓ ${t('fin.evald.meets')}` : `✗ ${t('fin.evald.below')}`}
        </strong>
      </p>
      {reported !== undefined && reported !== l.enterprisesServed ? (
        <p class="fin-note">{t('fin.evald.differs', { reported, n: l.enterprisesServed })}</p>
      ) : null}
    </Section>
  );
}

function EvidenceView(props: {
  e: Evaluation;
  files: PlatformEvidence[];
  reportWithheld: boolean;
  filesShared: boolean;
}) {
  const { e, files } = props;
  const [problem, setProblem] = useState<unknown>();
  const items =
    e.evidenceManifest ?? e.report?.evidenceIds.map((id) => ({ evidenceId: id, kind: '', sha256: '' })) ?? [];
  const name = (id: string, fallback?: string) =>
    fallback ?? files.find((f) => f.evidenceId === id)?.fileName ?? id;
  const open = async (id: string) => {
    setProblem(undefined);
    try {
      await openPlatformEvidence(e.platformId, id);
    } catch (err) {
      setProblem(err);
    }
  };
  return (
    <Section title={t('fin.evald.evidence')}>
      <ProblemBox problem={problem} />
      {props.reportWithheld ? (
        <p class="share-note">
          <strong>{t('fin.share.notShared')}</strong> · {t('fin.share.eval.evidenceList')}
        </p>
      ) : items.length && !props.filesShared ? (
        <p class="share-note" id="evidence-withheld">
          <strong>{t('fin.share.notShared')}</strong> · {t('fin.share.eval.evidence')}
        </p>
      ) : null}
      {props.reportWithheld ? null : items.length ? (
        <TableScroll label={t('fin.evald.evidence')}>
          <table aria-label={t('fin.evald.evidence')}>
            <thead>
              <tr>
                <th scope="col">{t('staff.evidence.file')}</th>
                <th scope="col">{t('staff.evidence.kind')}</th>
                <th scope="col">SHA-256</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.evidenceId}>
                  <td>
                    {name(m.evidenceId, 'fileName' in m ? (m.fileName as string | undefined) : undefined)}
                  </td>
                  <td>{m.kind || '—'}</td>
                  <td>
                    <code class="fin-hash">{m.sha256 ? `${m.sha256.slice(0, 12)}…` : '—'}</code>
                  </td>
                  <td>
                    {props.filesShared ? (
                      <button
                        type="button"
                        class="link"
                        aria-label={t('staff.evidence.download', { name: name(m.evidenceId) })}
                        onClick={() => open(m.evidenceId)}
                      >
                        ⬇ {t('fin.download')}
                      </button>
                    ) : (
                      t('fin.share.notShared')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <p>{t('common.none')}</p>
      )}
    </Section>
  );
}

function GradeView({ e, cycle }: { e: Evaluation; cycle: Cycle }) {
  if (e.score === undefined && !e.grade) return null;
  return (
    <Section title={t('fin.evald.grade')}>
      <dl class="staff-facts">
        <dt>{t('staff.grades.score')}</dt>
        <dd>{e.score ?? '—'}</dd>
        <dt>{t('staff.grades.grade')}</dt>
        <dd>
          <strong>{e.grade ? t(`grade.${e.grade}`) : '—'}</strong>
          {e.publishedAt
            ? ` · ${t('fin.evald.published', { at: formatInstant(e.publishedAt) })}`
            : ` · ${t('fin.evald.notPublished')}`}
        </dd>
        {e.bandGrade && e.bandGrade !== e.grade ? (
          <>
            <dt>{t('fin.evald.bandGrade')}</dt>
            <dd>{t(`grade.${e.bandGrade}`)}</dd>
            <dt>{t('fin.evald.overrideReason')}</dt>
            <dd>{e.overrideReason ?? '—'}</dd>
          </>
        ) : null}
        {e.gradedAt ? (
          <>
            <dt>{t('fin.evald.gradedAt')}</dt>
            <dd>
              {formatInstant(e.gradedAt)} {e.gradedBy ? `(${e.gradedBy})` : ''}
            </dd>
          </>
        ) : null}
      </dl>
      {e.scores ? (
        <TableScroll label={t('fin.evald.scores')}>
          <table aria-label={t('fin.evald.scores')}>
            <thead>
              <tr>
                <th scope="col">{t('fin.eval.criterion')}</th>
                <th scope="col">{t('staff.grades.score')}</th>
              </tr>
            </thead>
            <tbody>
              {cycle.criteria.map((c) => (
                <tr key={c.key}>
                  <td>{c.title}</td>
                  <td>
                    {e.scores?.[c.key] ?? '—'} / {c.max}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
    </Section>
  );
}

function GradeForm(props: { e: Evaluation; cycle: Cycle; onDone: (grade: string, score: number) => void }) {
  const { cycle } = props;
  const [scores, setScores] = useState<Record<string, string>>(() =>
    Object.fromEntries(cycle.criteria.map((c) => [c.key, props.e.scores?.[c.key]?.toString() ?? ''])),
  );
  const [override, setOverride] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const numbers = Object.fromEntries(
    Object.entries(scores)
      .filter(([, v]) => v.trim() !== '')
      .map(([k, v]) => [k, Number(v)]),
  );
  // The same arithmetic as the server: a preview only, the server decides.
  let preview: { score: number; grade: string } | undefined;
  try {
    const score = evaluationScore(cycle.criteria, numbers);
    preview = { score, grade: gradeFor(score, cycle.bands) };
  } catch {
    preview = undefined;
  }
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const r = await post<{ grade: string; score: number }>(
        `/v1/evaluation-cycles/${cycle.year}/platforms/${enc(props.e.platformId)}/grade`,
        {
          scores: numbers,
          ...(override ? { grade: override } : {}),
          ...(override && reason.trim() ? { overrideReason: reason.trim() } : {}),
        },
      );
      props.onDone(r.grade, r.score);
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={props.e.status === 'graded' ? t('fin.evald.regrade') : t('fin.evald.gradeForm')}>
      <form onSubmit={submit}>
        {cycle.criteria.map((c) => {
          const err = fieldError(problem, `scores.${c.key}`);
          return (
            <div class="field" key={c.key}>
              <label for={`grade-${c.key}`}>
                {t('fin.evald.scoreLabel', { title: c.title, max: c.max, weight: c.weight })}
              </label>
              <input
                id={`grade-${c.key}`}
                type="number"
                min={0}
                max={c.max}
                step="any"
                required
                value={scores[c.key] ?? ''}
                aria-invalid={err ? 'true' : undefined}
                aria-describedby={err ? `grade-${c.key}-error` : undefined}
                onInput={(e) => setScores((s) => ({ ...s, [c.key]: (e.target as HTMLInputElement).value }))}
              />
              {err ? (
                <small id={`grade-${c.key}-error`} class="error" role="alert">
                  {err}
                </small>
              ) : null}
            </div>
          );
        })}
        <p id="grade-preview" aria-live="polite">
          {preview
            ? t('fin.evald.preview', { score: preview.score, grade: t(`grade.${preview.grade}`) })
            : t('fin.evald.previewNone')}
        </p>
        <SelectField<string>
          id="grade-override"
          label={t('fin.evald.override')}
          value={override}
          onChange={setOverride}
          empty={t('fin.evald.overrideNone')}
          options={GRADES}
          optionLabel={(g) => t(`grade.${g}`)}
        />
        {override ? (
          <div class="field">
            <label for="grade-reason">{t('fin.evald.overrideReason')}</label>
            <textarea
              id="grade-reason"
              rows={3}
              required
              value={reason}
              aria-invalid={fieldError(problem, 'overrideReason') ? 'true' : undefined}
              onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
            />
            {fieldError(problem, 'overrideReason') ? (
              <small class="error" role="alert">
                {fieldError(problem, 'overrideReason')}
              </small>
            ) : null}
          </div>
        ) : null}
        <ProblemBox problem={problem} />
        <button type="submit" disabled={busy}>
          {t('fin.evald.gradeSubmit')}
        </button>
      </form>
    </Section>
  );
}
