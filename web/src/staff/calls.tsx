import { useState } from 'preact/hooks';
import { allPages, get, newIdempotencyKey, post } from '../api.ts';
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
} from '../ui.tsx';
import { BarChart } from './chart.tsx';
import './messages.ts';

/** Calls (Art. 7–8): list, create and publish; one call's pipeline funnel, ranking and proposed list. */
interface Call {
  id: string;
  title: string;
  status: string;
  opensAt: string;
  closesAt: string;
  publishedAt?: string;
}
interface AppRow {
  id: string;
  orgName: string;
  status: string;
  submittedAt?: string;
}
interface Ranking {
  criteria: { key: string; title: string }[];
  items: {
    rank: number;
    applicationId: string;
    orgName: string;
    averageScore: number;
    expertScores: { expertId: string; score: number }[];
  }[];
  list?: { applicationIds: string[]; status: string; noticeId?: string; opinion?: string };
}

const enc = encodeURIComponent;

export function Calls() {
  useLang();
  const s = useSession();
  const officer = hasRole(s, 'officer');
  const calls = useLoad(() => get<{ items: Call[] }>('/v1/calls?limit=100'));
  const [problem, setProblem] = useState<unknown>();
  const publish = async (id: string) => {
    setProblem(undefined);
    try {
      await post(`/v1/calls/${enc(id)}/publish`, {});
      calls.reload();
    } catch (e) {
      setProblem(e);
    }
  };
  return (
    <main id="main">
      <h1>{t('staff.calls')}</h1>
      <ProblemBox problem={calls.problem ?? problem} />
      <Loading when={calls.loading && !calls.data}>
        <TableScroll label={t('staff.calls')}>
          <table aria-label={t('staff.calls')}>
            <thead>
              <tr>
                <th scope="col">{t('staff.calls.title')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('staff.calls.opensAt')}</th>
                <th scope="col">{t('staff.calls.closesAt')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {(calls.data?.items ?? []).map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`#/staff/calls/${enc(c.id)}`}>{c.title}</a>
                  </td>
                  <td>
                    <Status value={c.status} />
                  </td>
                  <td>{formatInstant(c.opensAt)}</td>
                  <td>{formatInstant(c.closesAt)}</td>
                  <td>
                    {officer && c.status === 'draft' && !c.publishedAt ? (
                      <button type="button" onClick={() => publish(c.id)}>
                        {t('staff.calls.publish')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </Loading>
      {officer ? <NewCall onDone={calls.reload} /> : null}
    </main>
  );
}

/** Lines `kind|title` and `key|title|weight|max` keep the form short; the API validates every value. */
function NewCall({ onDone }: { onDone: () => void }) {
  const [v, setV] = useState({
    title: '',
    description: '',
    opensAt: '',
    closesAt: '',
    evidence: 'business_licence|营业执照\npartner_agreements|合作协议',
    criteria: 'resources|资源集聚能力|40|100\nservices|赋能服务能力|35|100\noperations|运营保障|25|100',
    noticeDays: '5',
  });
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const set = (k: keyof typeof v) => (x: string) => setV((o) => ({ ...o, [k]: x }));
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.split('|').map((p) => p.trim()))
      .filter((p) => p[0]);
  return (
    <Section title={t('staff.calls.new')}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setProblem(undefined);
          try {
            await post(
              '/v1/calls',
              {
                title: v.title,
                description: v.description,
                opensAt: v.opensAt ? new Date(v.opensAt).toISOString() : '',
                closesAt: v.closesAt ? new Date(v.closesAt).toISOString() : '',
                requiredEvidence: lines(v.evidence).map(([kind, title]) => ({
                  kind,
                  title: title ?? kind,
                  required: true,
                })),
                scoringCriteria: lines(v.criteria).map(([k, title, weight, max]) => ({
                  key: k,
                  title: title ?? k,
                  weight: Number(weight),
                  max: Number(max),
                })),
                noticePeriod: { length: Number(v.noticeDays), unit: 'working_days' },
              },
              { idempotencyKey: key },
            );
            setDone(true);
            setKey(newIdempotencyKey());
            onDone();
          } catch (err) {
            setProblem(err);
          }
        }}
      >
        <Field
          id="call-title"
          label={t('staff.calls.title')}
          value={v.title}
          onInput={set('title')}
          required
          error={fieldError(problem, 'title')}
        />
        <TextAreaField
          required
          id="call-description"
          label={t('staff.calls.description')}
          value={v.description}
          onInput={set('description')}
          error={fieldError(problem, 'description')}
        />
        <Field
          id="call-opensAt"
          type="datetime-local"
          label={t('staff.calls.opensAt')}
          value={v.opensAt}
          onInput={set('opensAt')}
          required
          error={fieldError(problem, 'opensAt')}
        />
        <Field
          id="call-closesAt"
          type="datetime-local"
          label={t('staff.calls.closesAt')}
          value={v.closesAt}
          onInput={set('closesAt')}
          required
          error={fieldError(problem, 'closesAt')}
        />
        <TextAreaField
          required
          id="call-evidence"
          label={t('staff.calls.evidence')}
          value={v.evidence}
          onInput={set('evidence')}
        />
        <TextAreaField
          required
          id="call-criteria"
          label={t('staff.calls.criteria')}
          value={v.criteria}
          onInput={set('criteria')}
        />
        <Field
          id="call-notice"
          type="number"
          label={t('staff.calls.noticeDays')}
          value={v.noticeDays}
          onInput={set('noticeDays')}
          required
        />
        <ProblemBox problem={problem} />
        {done ? <p role="status">{t('staff.calls.created')}</p> : null}
        <button type="submit">{t('staff.calls.create')}</button>
      </form>
    </Section>
  );
}

const FUNNEL = [
  'submitted',
  'preliminary_review',
  'expert_review',
  'site_inspection',
  'awaiting_ranking',
  'proposed',
  'on_notice',
  'recognised',
] as const;
/** Where an application stands in the funnel: a later stage counts as having passed every earlier one. */
const STAGE: Record<string, number> = Object.fromEntries(FUNNEL.map((s, i) => [s, i]));

const allApplications = (callId: string): Promise<AppRow[]> =>
  allPages<AppRow>(`/v1/applications?callId=${enc(callId)}`, 2000);

export function CallDetail({ params }: { params: Record<string, string> }) {
  useLang();
  const s = useSession();
  const id = params.id ?? '';
  const call = useLoad(() => get<Call>(`/v1/calls/${enc(id)}`), [id]);
  const apps = useLoad(() => allApplications(id), [id]);
  const rankingAllowed = hasRole(s, 'officer', 'approver');
  const funnel = FUNNEL.map((stage, i) => ({
    label: t(`status.${stage}`),
    value: (apps.data ?? []).filter((a) => (STAGE[a.status] ?? -1) >= i).length,
  }));
  return (
    <main id="main">
      <h1>{call.data?.title ?? t('staff.calls.detail')}</h1>
      <ProblemBox problem={call.problem ?? apps.problem} />
      {call.data ? (
        <p>
          <Status value={call.data.status} /> {formatInstant(call.data.opensAt)} –{' '}
          {formatInstant(call.data.closesAt)}
        </p>
      ) : null}
      <Section title={t('staff.funnel')}>
        <Loading when={apps.loading && !apps.data}>
          <BarChart id="funnel" title={t('staff.funnel')} desc={t('staff.funnel.desc')} rows={funnel} />
        </Loading>
      </Section>
      <Section title={t('staff.calls.applications')}>
        <ul>
          {(apps.data ?? []).map((a) => (
            <li key={a.id}>
              <a href={`#/staff/applications/${enc(a.id)}`}>{a.orgName}</a> <Status value={a.status} />
            </li>
          ))}
        </ul>
      </Section>
      {rankingAllowed ? <RankingSection callId={id} /> : null}
    </main>
  );
}

function RankingSection({ callId }: { callId: string }) {
  const s = useSession();
  const ranking = useLoad(() => get<Ranking>(`/v1/calls/${enc(callId)}/ranking`), [callId]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [opinion, setOpinion] = useState('');
  const [problem, setProblem] = useState<unknown>();
  const act = async (path: string, body: unknown) => {
    setProblem(undefined);
    try {
      await post(path, body, { idempotencyKey: newIdempotencyKey() });
      ranking.reload();
    } catch (e) {
      setProblem(e);
    }
  };
  const r = ranking.data;
  return (
    <Section title={t('staff.ranking')}>
      <ProblemBox problem={ranking.problem ?? problem} />
      {r ? (
        <>
          <TableScroll label={t('staff.ranking')}>
            <table aria-label={t('staff.ranking')}>
              <thead>
                <tr>
                  <th scope="col">{t('staff.ranking.rank')}</th>
                  <th scope="col">{t('staff.ranking.org')}</th>
                  <th scope="col">{t('staff.ranking.average')}</th>
                  <th scope="col">{t('staff.ranking.experts')}</th>
                  {hasRole(s, 'officer') ? <th scope="col">{t('staff.ranking.select')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {r.items.map((i) => (
                  <tr key={i.applicationId}>
                    <td>{i.rank}</td>
                    <td>
                      <a href={`#/staff/applications/${enc(i.applicationId)}`}>{i.orgName}</a>
                    </td>
                    <td>{i.averageScore}</td>
                    <td>{i.expertScores.map((e) => e.score).join(' / ')}</td>
                    {hasRole(s, 'officer') ? (
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`${t('staff.ranking.select')}: ${i.orgName}`}
                          checked={chosen.includes(i.applicationId)}
                          onChange={(e) =>
                            setChosen((c) =>
                              (e.target as HTMLInputElement).checked
                                ? [...c, i.applicationId]
                                : c.filter((x) => x !== i.applicationId),
                            )
                          }
                        />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {hasRole(s, 'officer') ? (
            <button
              type="button"
              disabled={!chosen.length}
              onClick={() => act(`/v1/calls/${enc(callId)}/proposed-list`, { applicationIds: chosen })}
            >
              {t('staff.ranking.propose')}
            </button>
          ) : null}
          {r.list ? (
            <div class="card">
              <h3>{t('staff.ranking.list')}</h3>
              <p>
                <Status value={r.list.status} />{' '}
                {r.list.noticeId ? (
                  <a href={`#/staff/notices/${enc(r.list.noticeId)}`}>
                    {t('staff.ranking.notice', { id: r.list.noticeId })}
                  </a>
                ) : null}
              </p>
              <ul>
                {r.list.applicationIds.map((a) => (
                  <li key={a}>{r.items.find((i) => i.applicationId === a)?.orgName ?? a}</li>
                ))}
              </ul>
              {hasRole(s, 'approver') && r.list.status === 'proposed' ? (
                <>
                  <TextAreaField
                    required
                    id="list-opinion"
                    label={t('staff.ranking.opinion')}
                    value={opinion}
                    onInput={setOpinion}
                  />
                  <button
                    type="button"
                    onClick={() =>
                      act(`/v1/calls/${enc(callId)}/proposed-list/decision`, { decision: 'approve', opinion })
                    }
                  >
                    {t('staff.ranking.approve')}
                  </button>{' '}
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      act(`/v1/calls/${enc(callId)}/proposed-list/decision`, { decision: 'reject', opinion })
                    }
                  >
                    {t('staff.ranking.reject')}
                  </button>
                </>
              ) : null}
            </div>
          ) : null}
        </>
      ) : null}
    </Section>
  );
}
