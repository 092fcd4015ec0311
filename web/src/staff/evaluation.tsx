import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, allPages, get, post } from '../api.ts';
import { formatInstant, t, useLang } from '../i18n.ts';
import { hasRole, useSession } from '../session.ts';
import {
  Field,
  fieldError,
  Loading,
  ProblemBox,
  Section,
  Status,
  TableScroll,
  TextAreaField,
  useLoad,
  useRun,
} from '../ui.tsx';
import { BarChart } from './chart.tsx';
import { enc, orNone, shanghaiDay, useKeyedForm } from './finance/common.tsx';
import './finance/messages.ts';
import './messages.ts';

/**
 * Annual evaluation (Art. 12): the cycle of a year (criteria, bands, report deadline, status), the
 * officer's creation and opening of it, every platform's evaluation with a link to its report and
 * grading page, the grade distribution as a chart with a text table, and the approver's sign-off that
 * publishes the grades. The year defaults to the latest cycle that exists, whatever the browser's year.
 */
interface Criterion {
  key: string;
  title: string;
  weight: number;
  max: number;
}
export interface Cycle {
  year: number;
  reportDeadline: string;
  criteria: Criterion[];
  bands: { excellent: number; good: number; qualified: number };
  status: 'created' | 'open' | 'finalized';
  createdAt: string;
  openedAt?: string;
  finalizedAt?: string;
  version: number;
}
interface Evaluation {
  id: string;
  platformId: string;
  hostName: string;
  status: string;
  reportSubmittedAt?: string;
  score?: number;
  grade?: string;
  publishedAt?: string;
}

const GRADES = ['excellent', 'good', 'qualified', 'unqualified'] as const;

/** The years around the browser's year probed for cycles; beyond the top one found, probing goes on. */
const PROBE_BACK = 5;
const PROBE_AHEAD = 2;

/**
 * The API has no list of cycles: the years that exist are found by asking for each year around now
 * (in parallel), then onwards while cycles keep existing. Newest first.
 */
export async function cycleYears(): Promise<number[]> {
  const base = new Date().getFullYear();
  const probe = async (y: number) => ((await orNone(get(`/v1/evaluation-cycles/${y}`))) ? y : undefined);
  const range = Array.from({ length: PROBE_BACK + PROBE_AHEAD + 1 }, (_, i) => base - PROBE_BACK + i);
  const found = (await Promise.all(range.map(probe))).filter((y): y is number => y !== undefined);
  let top = base + PROBE_AHEAD;
  while (found.includes(top) && top < 2100) {
    top += 1;
    if ((await probe(top)) === undefined) break;
    found.push(top);
  }
  return found.sort((a, b) => b - a);
}

async function allEvaluations(year: number): Promise<Evaluation[]> {
  return allPages<Evaluation>(`/v1/evaluation-cycles/${year}/evaluations`, 2000);
}

export function Grades() {
  useLang();
  const s = useSession();
  const officer = hasRole(s, 'officer');
  const approver = hasRole(s, 'approver');
  const [year, setYear] = useState(new Date().getFullYear());
  const chosen = useRef(false);
  const years = useLoad(cycleYears, []);
  // The default is the latest cycle that exists, unless the person already chose a year.
  useEffect(() => {
    const latest = years.data?.[0];
    if (latest !== undefined && !chosen.current) setYear(latest);
  }, [years.data]);
  const cycle = useLoad(() => orNone(get<Cycle>(`/v1/evaluation-cycles/${year}`)), [year]);
  const evals = useLoad(
    () => (cycle.data ? allEvaluations(year) : Promise.resolve([] as Evaluation[])),
    [year, cycle.data],
  );
  const [notice, setNotice] = useState('');
  const changed = (message: string) => {
    setNotice(message);
    cycle.reload();
    years.reload();
  };
  const items = evals.data ?? [];
  const rows = [
    ...GRADES.map((g) => ({ label: t(`grade.${g}`), value: items.filter((e) => e.grade === g).length })),
    { label: t('grade.none'), value: items.filter((e) => !e.grade).length },
  ];
  const c = cycle.data;
  return (
    <main id="main">
      <h1>{t('staff.grades')}</h1>
      <p class="fin-lead">{t('fin.eval.lead')}</p>
      <div class="field">
        <label for="grades-year">{t('staff.grades.year')}</label>
        <input
          id="grades-year"
          type="number"
          min={2000}
          max={2100}
          list="grades-years"
          value={year}
          aria-describedby="grades-year-hint"
          onInput={(e) => {
            const y = Number((e.target as HTMLInputElement).value);
            if (y >= 2000 && y <= 2100) {
              chosen.current = true;
              setYear(y);
            }
          }}
        />
        <datalist id="grades-years">
          {(years.data ?? []).map((y) => (
            <option key={y} value={y} />
          ))}
        </datalist>
        <small id="grades-year-hint">
          {years.loading && !years.data
            ? t('common.loading')
            : years.data?.length
              ? t('fin.eval.years', { years: years.data.join('、') })
              : t('fin.eval.noYears')}
        </small>
      </div>
      {years.data && years.data.length > 1 ? (
        <fieldset class="fin-actions">
          <legend class="fin-sr">{t('fin.eval.yearsGroup')}</legend>
          {years.data.map((y) => (
            <button
              key={y}
              type="button"
              class={y === year ? '' : 'secondary'}
              aria-pressed={y === year}
              onClick={() => {
                chosen.current = true;
                setYear(y);
              }}
            >
              {y}
            </button>
          ))}
        </fieldset>
      ) : null}
      <p role="status" class="ok">
        {notice}
      </p>
      <ProblemBox problem={cycle.problem} />
      <Loading when={cycle.loading && !cycle.data}>
        {c ? (
          <CycleFacts cycle={c} />
        ) : (
          <>
            <p>{t('fin.eval.noCycle', { year })}</p>
            {officer ? (
              <CreateCycle
                year={year}
                onDone={(y) => {
                  chosen.current = true;
                  setYear(y);
                  changed(t('fin.eval.created', { year: y }));
                }}
              />
            ) : null}
          </>
        )}
        {c && officer && c.status === 'created' ? (
          <OpenCycle cycle={c} onDone={(n) => changed(t('fin.eval.opened', { n }))} />
        ) : null}
      </Loading>
      {c ? (
        <>
          <ProblemBox problem={evals.problem} />
          <Loading when={evals.loading && !evals.data}>
            <Section title={t('fin.eval.evaluations')}>
              {items.length ? (
                <TableScroll label={t('fin.eval.evaluations')}>
                  <table aria-label={t('fin.eval.evaluations')}>
                    <thead>
                      <tr>
                        <th scope="col">{t('staff.grades.platform')}</th>
                        <th scope="col">{t('common.status')}</th>
                        <th scope="col">{t('fin.eval.submittedAt')}</th>
                        <th scope="col">{t('staff.grades.score')}</th>
                        <th scope="col">{t('staff.grades.grade')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((e) => (
                        <tr key={e.id}>
                          <td>
                            <a href={`#/staff/evaluation/${year}/${enc(e.platformId)}`}>{e.hostName}</a>
                          </td>
                          <td>
                            <Status value={e.status} />
                          </td>
                          <td>{formatInstant(e.reportSubmittedAt)}</td>
                          <td>{e.score ?? '—'}</td>
                          <td>{e.grade ? t(`grade.${e.grade}`) : '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableScroll>
              ) : (
                <p>{c.status === 'created' ? t('fin.eval.notOpenYet') : t('staff.grades.none')}</p>
              )}
            </Section>
            {items.length ? (
              <Section title={t('fin.eval.distribution')}>
                <BarChart
                  id="grades"
                  title={t('staff.grades.chart', { year })}
                  desc={t('staff.grades.count')}
                  rows={rows}
                />
                <p class="fin-note">
                  {c.status === 'finalized' ? t('fin.eval.chartPublished') : t('fin.eval.chartDraft')}
                </p>
              </Section>
            ) : null}
          </Loading>
          {c.status === 'open' ? (
            <SignOff
              cycle={c}
              items={items}
              canSign={approver}
              onDone={(counts) => {
                changed(t('fin.eval.finalized', { counts }));
                evals.reload();
              }}
            />
          ) : null}
        </>
      ) : null}
    </main>
  );
}

function CycleFacts({ cycle }: { cycle: Cycle }) {
  return (
    <Section title={t('fin.eval.cycle', { year: cycle.year })}>
      <dl class="staff-facts">
        <dt>{t('common.status')}</dt>
        <dd>
          <Status value={cycle.status} />
        </dd>
        <dt>{t('fin.eval.deadline')}</dt>
        <dd>{formatInstant(cycle.reportDeadline)}</dd>
        {cycle.openedAt ? (
          <>
            <dt>{t('fin.eval.openedAt')}</dt>
            <dd>{formatInstant(cycle.openedAt)}</dd>
          </>
        ) : null}
        {cycle.finalizedAt ? (
          <>
            <dt>{t('fin.eval.finalizedAt')}</dt>
            <dd>{formatInstant(cycle.finalizedAt)}</dd>
          </>
        ) : null}
        <dt>{t('fin.eval.bands')}</dt>
        <dd>
          {t('fin.eval.bandsText', {
            excellent: cycle.bands.excellent,
            good: cycle.bands.good,
            qualified: cycle.bands.qualified,
          })}
        </dd>
      </dl>
      <TableScroll label={t('fin.eval.criteria')}>
        <table aria-label={t('fin.eval.criteria')}>
          <caption>{t('fin.eval.criteria')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('fin.eval.criterion')}</th>
              <th scope="col">{t('fin.eval.weight')}</th>
              <th scope="col">{t('fin.eval.max')}</th>
            </tr>
          </thead>
          <tbody>
            {cycle.criteria.map((c) => (
              <tr key={c.key}>
                <td>
                  {c.title} <code>{c.key}</code>
                </td>
                <td>{c.weight}</td>
                <td>{c.max}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </Section>
  );
}

const DEFAULT_CRITERIA = [
  'services|赋能服务成效 / Enablement services|60|100',
  'resources|资源集聚 / Resource aggregation|40|100',
].join('\n');

function parseCriteria(text: string): Criterion[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [key = '', title = '', weight = '', max = ''] = line.split('|').map((x) => x.trim());
      return { key, title, weight: Number(weight), max: Number(max) };
    });
}

/** Officer: a cycle for the year with its report deadline (a date: 23:59:59.999 Beijing time) and criteria. */
function CreateCycle({ year, onDone }: { year: number; onDone: (year: number) => void }) {
  const { form, setForm, set, key } = useKeyedForm({
    year: String(year),
    deadline: shanghaiDay(Date.now() + 60 * 86_400_000),
    criteria: DEFAULT_CRITERIA,
    excellent: '90',
    good: '75',
    qualified: '60',
  });
  useEffect(() => setForm((f) => ({ ...f, year: String(year) })), [year]);
  const { problem, busy, submit } = useRun();
  const save = submit(async () => {
    const created = await post<Cycle>(
      '/v1/evaluation-cycles',
      {
        year: Number(form.year),
        reportDeadline: form.deadline,
        criteria: parseCriteria(form.criteria),
        bands: {
          excellent: Number(form.excellent),
          good: Number(form.good),
          qualified: Number(form.qualified),
        },
      },
      { idempotencyKey: key },
    );
    onDone(created.year);
  });
  const criteriaError =
    fieldError(problem, 'criteria') ??
    (problem instanceof ApiProblem
      ? problem.errors.find((x) => x.path.includes('criteria'))?.message
      : undefined);
  return (
    <Section title={t('fin.eval.create')}>
      <form onSubmit={save}>
        <Field
          id="cycle-year"
          label={t('fin.eval.year')}
          type="number"
          value={form.year}
          onInput={set('year')}
          error={fieldError(problem, 'year')}
          required
        />
        <Field
          id="cycle-deadline"
          label={t('fin.eval.deadline')}
          type="date"
          value={form.deadline}
          onInput={set('deadline')}
          hint={t('fin.eval.deadlineHint')}
          error={fieldError(problem, 'reportDeadline')}
          required
        />
        <TextAreaField
          id="cycle-criteria"
          label={t('fin.eval.criteriaInput')}
          value={form.criteria}
          error={criteriaError}
          onInput={set('criteria')}
        />
        <fieldset class="fin-inline">
          <legend>{t('fin.eval.bands')}</legend>
          {(['excellent', 'good', 'qualified'] as const).map((b) => (
            <Field
              key={b}
              id={`cycle-band-${b}`}
              label={t('fin.eval.bandMin', { grade: t(`grade.${b}`) })}
              type="number"
              value={form[b]}
              onInput={set(b)}
              error={
                fieldError(problem, `bands.${b}`) ??
                (b === 'excellent' ? fieldError(problem, 'bands') : undefined)
              }
            />
          ))}
        </fieldset>
        <ProblemBox problem={problem} />
        <button type="submit" disabled={busy}>
          {t('fin.eval.createSubmit')}
        </button>
      </form>
    </Section>
  );
}

/** Officer: opening gives every active platform an evaluation awaiting its report and tells its hosts. */
function OpenCycle({ cycle, onDone }: { cycle: Cycle; onDone: (n: number) => void }) {
  const { problem, busy, run } = useRun();
  const open = () =>
    run(async () => {
      const r = await post<{ evaluations: number }>(`/v1/evaluation-cycles/${cycle.year}/open`, {});
      onDone(r.evaluations);
    });
  return (
    <Section title={t('fin.eval.open')}>
      <p>{t('fin.eval.openExplain')}</p>
      <ProblemBox problem={problem} />
      <button type="button" disabled={busy} onClick={open}>
        {t('fin.eval.openSubmit', { year: cycle.year })}
      </button>
    </Section>
  );
}

/**
 * Approver: the sign-off publishes the grades (hosts and observers see them), marks reports still
 * awaited overdue (an Art. 13 revocation ground) and ends the cycle. The server refuses it before the
 * report deadline or while a submitted report is ungraded; the page says which, before and after.
 */
function SignOff(props: {
  cycle: Cycle;
  items: Evaluation[];
  canSign: boolean;
  onDone: (counts: string) => void;
}) {
  const { problem, busy, run } = useRun();
  const ungraded = props.items.filter((e) => e.status === 'report_submitted');
  const awaiting = props.items.filter((e) => e.status === 'awaiting_report');
  const sign = () =>
    run(async () => {
      const r = await post<{ counts: Record<string, number> }>(
        `/v1/evaluation-cycles/${props.cycle.year}/finalize`,
        {},
      );
      props.onDone(
        Object.entries(r.counts)
          .map(([k, v]) => `${t(`status.${k}`)} ${v}`)
          .join(' · '),
      );
    });
  return (
    <Section title={t('fin.eval.signOff')}>
      <p>{t('fin.eval.signOffExplain')}</p>
      <ul>
        <li>{t('fin.eval.signOffDeadline', { at: formatInstant(props.cycle.reportDeadline) })}</li>
        <li>
          {ungraded.length
            ? t('fin.eval.signOffUngraded', { n: ungraded.length })
            : t('fin.eval.signOffAllGraded')}
        </li>
        {awaiting.length ? <li>{t('fin.eval.signOffOverdue', { n: awaiting.length })}</li> : null}
      </ul>
      <ProblemBox problem={problem} />
      {props.canSign ? (
        <button type="button" disabled={busy} onClick={sign}>
          {t('fin.eval.signOffSubmit', { year: props.cycle.year })}
        </button>
      ) : (
        <p class="fin-note">{t('fin.eval.signOffWho')}</p>
      )}
    </Section>
  );
}
