import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, get, put } from '../../api.ts';
import { formatInstant, t, useLang } from '../../i18n.ts';
import { hasRole, useSession } from '../../session.ts';
import { Field, fieldError, Loading, ProblemBox, Section, TextAreaField, useLoad } from '../../ui.tsx';
import './messages.ts';

/**
 * Settings: the policy end date (Art. 14: every recognition ends on it; moving it moves the deadline
 * job's entry) and the working-day calendar of public notices (Art. 8(4): State Council holidays and
 * make-up workdays, with an admin's override per year). Admins change them — each save carries the
 * version read, so two admins cannot overwrite each other unseen (409 STALE_VERSION); officers and
 * approvers read.
 */
interface Settings {
  policyEndDate: string;
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}
interface CalendarYear {
  year: number;
  source: string;
  covered: boolean;
  holidays: string[];
  workdays: string[];
  override?: {
    holidays: string[];
    workdays: string[];
    complete?: boolean;
    updatedAt?: string;
    updatedBy?: string;
    version?: number;
  };
  warnings: { code: string; year: number; message: string }[];
}

/**
 * The server's refusal; for 409 STALE_VERSION (another admin saved since this page read the values) it
 * says so in the page's language and offers to read the current values again.
 */
function SaveProblem({ problem, onReload }: { problem: unknown; onReload: () => void }) {
  if (!(problem instanceof ApiProblem && problem.code === 'STALE_VERSION'))
    return <ProblemBox problem={problem} />;
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{problem.code}</strong> {t('fin.settings.stale')}
      </p>
      <button type="button" onClick={onReload}>
        {t('fin.settings.reload')}
      </button>
    </div>
  );
}

export function SettingsPage() {
  useLang();
  const admin = hasRole(useSession(), 'admin');
  return (
    <main id="main">
      <h1>{t('fin.settings')}</h1>
      <p class="fin-lead">{admin ? t('fin.settings.leadAdmin') : t('fin.settings.leadRead')}</p>
      <PolicyEnd admin={admin} />
      <Calendar admin={admin} />
    </main>
  );
}

function PolicyEnd({ admin }: { admin: boolean }) {
  const settings = useLoad(() => get<Settings>('/v1/settings'), []);
  const [date, setDate] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  useEffect(() => {
    if (settings.data) setDate(settings.data.policyEndDate);
  }, [settings.data]);
  const s = settings.data;
  const save = async (e: Event) => {
    e.preventDefault();
    if (!s) return;
    setBusy(true);
    setProblem(undefined);
    setNotice('');
    try {
      await put('/v1/settings', { policyEndDate: date, version: s.version });
      setNotice(t('fin.settings.saved'));
      settings.reload();
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title={t('fin.settings.policy')}>
      <ProblemBox problem={settings.problem} />
      <Loading when={settings.loading && !s}>
        {s ? (
          <>
            <dl class="staff-facts">
              <dt>{t('fin.settings.policyEnd')}</dt>
              <dd>{s.policyEndDate}</dd>
              <dt>{t('fin.settings.version')}</dt>
              <dd>{s.version === 0 ? t('fin.settings.defaults') : s.version}</dd>
              {s.updatedAt ? (
                <>
                  <dt>{t('fin.settings.updated')}</dt>
                  <dd>
                    {formatInstant(s.updatedAt)} ({s.updatedBy})
                  </dd>
                </>
              ) : null}
            </dl>
            <p class="fin-note">{t('fin.settings.policyExplain')}</p>
            {admin ? (
              <form onSubmit={save}>
                <Field
                  id="policy-end"
                  label={t('fin.settings.policyEnd')}
                  type="date"
                  value={date}
                  onInput={setDate}
                  error={fieldError(problem, 'policyEndDate')}
                  required
                />
                <SaveProblem
                  problem={problem}
                  onReload={() => {
                    setProblem(undefined);
                    settings.reload();
                  }}
                />
                <button type="submit" disabled={busy}>
                  {t('common.save')}
                </button>
                <p role="status" class="ok">
                  {notice}
                </p>
              </form>
            ) : null}
          </>
        ) : null}
      </Loading>
    </Section>
  );
}

const lines = (text: string): string[] =>
  text
    .split(/[\s,，、]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function Calendar({ admin }: { admin: boolean }) {
  const [year, setYear] = useState(new Date().getFullYear());
  const cal = useLoad(() => get<CalendarYear>(`/v1/calendar/${year}`), [year]);
  const [form, setForm] = useState({ holidays: '', workdays: '', complete: false });
  const [sent, setSent] = useState<{ holidays: string[]; workdays: string[] }>({
    holidays: [],
    workdays: [],
  });
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const c = cal.data;
  useEffect(() => {
    if (!c) return;
    // Editing starts from the override if there is one, else from what applies (the dataset's days).
    setForm({
      holidays: (c.override?.holidays ?? c.holidays).join('\n'),
      workdays: (c.override?.workdays ?? c.workdays).join('\n'),
      complete: c.override?.complete ?? !c.covered,
    });
  }, [c]);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    setNotice('');
    const lists = { holidays: lines(form.holidays), workdays: lines(form.workdays) };
    setSent(lists);
    try {
      await put(`/v1/calendar/${year}`, {
        ...lists,
        complete: form.complete,
        // 0 = no override was read: a first override created meanwhile by someone else is not overwritten.
        version: c?.override?.version ?? 0,
      });
      setNotice(t('fin.calendar.saved', { year }));
      cal.reload();
    } catch (err) {
      setProblem(err);
    } finally {
      setBusy(false);
    }
  };
  // The server names an entry by its index (`body.holidays.3`): show the date typed there with it.
  const listError = (k: 'holidays' | 'workdays') => {
    const entries =
      problem instanceof ApiProblem
        ? problem.errors
            .filter((x) => x.path.startsWith(`body.${k}.`))
            .map((x) => `${sent[k][Number(x.path.slice(`body.${k}.`.length))] ?? x.path}: ${x.message}`)
        : [];
    return [fieldError(problem, k), ...entries].filter(Boolean).join('; ') || undefined;
  };
  return (
    <Section title={t('fin.calendar')}>
      <div class="field">
        <label for="calendar-year">{t('fin.calendar.year')}</label>
        <input
          id="calendar-year"
          type="number"
          min={2000}
          max={2100}
          value={year}
          onInput={(e) => {
            const y = Number((e.target as HTMLInputElement).value);
            if (y >= 2000 && y <= 2100) setYear(y);
          }}
        />
      </div>
      <ProblemBox problem={cal.problem} />
      <Loading when={cal.loading && !c}>
        {c ? (
          <>
            {c.warnings.map((w) => (
              <p key={`${w.code}-${w.year}`} class="problem" role="alert">
                <strong>{t('fin.calendar.warning')}</strong> {w.message}
              </p>
            ))}
            <dl class="staff-facts">
              <dt>{t('fin.calendar.source')}</dt>
              <dd>{t(`fin.calendar.source.${c.source}`)}</dd>
              <dt>{t('fin.calendar.covered')}</dt>
              <dd>{c.covered ? `✓ ${t('fin.calendar.yes')}` : `✗ ${t('fin.calendar.no')}`}</dd>
              <dt>{t('fin.calendar.holidays')}</dt>
              <dd>{t('fin.calendar.days', { n: c.holidays.length })}</dd>
              <dt>{t('fin.calendar.workdays')}</dt>
              <dd>{t('fin.calendar.days', { n: c.workdays.length })}</dd>
              {c.override?.updatedAt ? (
                <>
                  <dt>{t('fin.calendar.override')}</dt>
                  <dd>
                    {formatInstant(c.override.updatedAt)} ({c.override.updatedBy}) · v{c.override.version}
                  </dd>
                </>
              ) : null}
            </dl>
            <div class="fin-two">
              {(['holidays', 'workdays'] as const).map((k) => (
                <div key={k}>
                  <h3 id={`calendar-${k}-title`}>{t(`fin.calendar.${k}`)}</h3>
                  {c[k].length ? (
                    <ul class="fin-dates" aria-labelledby={`calendar-${k}-title`}>
                      {c[k].map((d) => (
                        <li key={d} class="fin-date">
                          <time dateTime={d}>{d}</time>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p>{t('common.none')}</p>
                  )}
                </div>
              ))}
            </div>
            {admin ? (
              <form onSubmit={save}>
                <h3>{t('fin.calendar.edit', { year })}</h3>
                <TextAreaField
                  id="calendar-holidays"
                  label={t('fin.calendar.holidaysInput')}
                  rows={6}
                  value={form.holidays}
                  error={listError('holidays')}
                  onInput={(v) => setForm((f) => ({ ...f, holidays: v }))}
                />
                <TextAreaField
                  id="calendar-workdays"
                  label={t('fin.calendar.workdaysInput')}
                  rows={3}
                  value={form.workdays}
                  error={listError('workdays')}
                  onInput={(v) => setForm((f) => ({ ...f, workdays: v }))}
                />
                <label class="choice">
                  <input
                    type="checkbox"
                    checked={form.complete}
                    onChange={(e) =>
                      setForm((f) => ({ ...f, complete: (e.target as HTMLInputElement).checked }))
                    }
                  />{' '}
                  {t('fin.calendar.complete')}
                </label>
                <SaveProblem
                  problem={problem}
                  onReload={() => {
                    setProblem(undefined);
                    cal.reload();
                  }}
                />
                <button type="submit" disabled={busy}>
                  {t('fin.calendar.save', { year })}
                </button>
                <p role="status" class="ok">
                  {notice}
                </p>
              </form>
            ) : null}
          </>
        ) : null}
      </Loading>
    </Section>
  );
}
