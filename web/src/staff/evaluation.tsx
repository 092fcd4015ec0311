import { useState } from 'preact/hooks';
import { get } from '../api.ts';
import { t, useLang } from '../i18n.ts';
import { Loading, ProblemBox, Status, useLoad } from '../ui.tsx';
import { BarChart } from './chart.tsx';
import './messages.ts';

/** Annual evaluation (Art. 12): the grades of a year and their distribution. */
interface Evaluation {
  id: string;
  platformId: string;
  hostName: string;
  status: string;
  score?: number;
  grade?: string;
}

const GRADES = ['excellent', 'good', 'qualified', 'unqualified'] as const;

async function allEvaluations(year: number): Promise<Evaluation[]> {
  const out: Evaluation[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<{ items: Evaluation[]; nextCursor?: string }>(
      `/v1/evaluation-cycles/${year}/evaluations?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 2000);
  return out;
}

export function Grades() {
  useLang();
  const [year, setYear] = useState(new Date().getFullYear());
  const evals = useLoad(() => allEvaluations(year), [year]);
  const items = evals.data ?? [];
  const rows = [
    ...GRADES.map((g) => ({ label: t(`grade.${g}`), value: items.filter((e) => e.grade === g).length })),
    { label: t('grade.none'), value: items.filter((e) => !e.grade).length },
  ];
  return (
    <main id="main">
      <h1>{t('staff.grades')}</h1>
      <div class="field">
        <label for="grades-year">{t('staff.grades.year')}</label>
        <input
          id="grades-year"
          type="number"
          min={2026}
          max={2100}
          value={year}
          onInput={(e) => {
            const y = Number((e.target as HTMLInputElement).value);
            if (y >= 2000 && y <= 2100) setYear(y);
          }}
        />
      </div>
      <ProblemBox problem={evals.problem} />
      <Loading when={evals.loading && !evals.data}>
        {items.length ? (
          <>
            <BarChart
              id="grades"
              title={t('staff.grades.chart', { year })}
              desc={t('staff.grades.count')}
              rows={rows}
            />
            <div class="table-wrap">
              <table aria-label={t('staff.grades')}>
                <thead>
                  <tr>
                    <th scope="col">{t('staff.grades.platform')}</th>
                    <th scope="col">{t('common.status')}</th>
                    <th scope="col">{t('staff.grades.score')}</th>
                    <th scope="col">{t('staff.grades.grade')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((e) => (
                    <tr key={e.id}>
                      <td>{e.hostName}</td>
                      <td>
                        <Status value={e.status} />
                      </td>
                      <td>{e.score ?? '—'}</td>
                      <td>{e.grade ? t(`grade.${e.grade}`) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : (
          <p>{t('staff.grades.none')}</p>
        )}
      </Loading>
    </main>
  );
}
