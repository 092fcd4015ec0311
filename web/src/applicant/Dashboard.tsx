import { get, type PageOf } from '../api.ts';
import { addMessages, formatCny, formatInstant, t, useLang } from '../i18n.ts';
import { useSession } from '../session.ts';
import { Loading, ProblemBox, Section, TableScroll, useLoad } from '../ui.tsx';
import { Status } from './AppStatus.tsx';
import './messages.ts';
import { useUnread } from '../notifications.tsx';
import {
  type Application,
  bilingual,
  type Call,
  myOrganisation,
  type Notification,
  type Organisation,
  type Task,
} from './model.ts';
import { ApplicantNav, linkOf } from './Notifications.tsx';

addMessages(
  {
    'applicant.org.verification.not_required': '代码有效，无需人工核验',
    'applicant.org.verification.pending': '待产业办人工核验',
    'applicant.org.verification.verified': '人工核验通过',
    'applicant.org.verification.rejected': '人工核验未通过',
    'applicant.org.opinion': '核验意见',
    'applicant.org.decidedAt': '核验时间',
    'applicant.org.pendingText':
      '统一社会信用代码需人工核验；核验通过前可以保存申报书，但申报条件检查会提示待核验。',
    'applicant.org.rejectedText': '人工核验未通过，本单位不符合申报条件。如有异议请联系产业办。',
    'applicant.notes.all': '查看全部通知（未读 {n} 条）',
    'applicant.notes.allPlain': '查看全部通知',
    'applicant.vouchers.link': '申领算力券、查看我的申领',
    'applicant.task.evaluation_report': '提交年度自评报告',
  },
  {
    'applicant.org.verification.not_required': 'Valid code, no manual verification needed',
    'applicant.org.verification.pending': 'Awaiting manual verification by the office',
    'applicant.org.verification.verified': 'Verified by the office',
    'applicant.org.verification.rejected': 'Rejected by the office',
    'applicant.org.opinion': 'Officer’s opinion',
    'applicant.org.decidedAt': 'Decided',
    'applicant.org.pendingText':
      'Your credit code needs a manual check; you can save applications meanwhile, but eligibility shows it as pending.',
    'applicant.org.rejectedText':
      'The manual check failed: the organisation is not eligible. Contact the office if you disagree.',
    'applicant.notes.all': 'All notifications ({n} unread)',
    'applicant.notes.allPlain': 'All notifications',
    'applicant.vouchers.link': 'Claim compute vouchers, see my claims',
    'applicant.task.evaluation_report': 'Submit the annual self-evaluation report',
  },
);

/** The organisation with its USCC verification in words (and the officer's opinion once decided). */
export function OrganisationFacts({ org }: { org: Organisation }) {
  const v = org.verification;
  return (
    <>
      <dl class="facts" id="my-organisation">
        <dt>{t('applicant.reg.name')}</dt>
        <dd>{org.name}</dd>
        <dt>{t('applicant.reg.uscc')}</dt>
        <dd>
          <code>{org.uscc}</code>
        </dd>
        <dt>{t('applicant.reg.capital')}</dt>
        <dd>{formatCny(org.registeredCapitalCny)}</dd>
        <dt>{t('applicant.org.verification')}</dt>
        <dd>
          <span class={`status status-${v.status}`}>{t(`applicant.org.verification.${v.status}`)}</span>
        </dd>
        {v.opinion ? (
          <>
            <dt>{t('applicant.org.opinion')}</dt>
            <dd>{v.opinion}</dd>
          </>
        ) : null}
        {v.decidedAt ? (
          <>
            <dt>{t('applicant.org.decidedAt')}</dt>
            <dd>{formatInstant(v.decidedAt)}</dd>
          </>
        ) : null}
      </dl>
      {v.status === 'pending' ? <p class="warning">{t('applicant.org.pendingText')}</p> : null}
      {v.status === 'rejected' ? <p class="error">{t('applicant.org.rejectedText')}</p> : null}
    </>
  );
}

/** Where a pending task of the applicant is done. */
const taskLink = (task: Task): string => {
  const evaluation = /^e-\d{4}-(.+)$/.exec(task.entityId);
  return task.kind === 'evaluation_report' && evaluation
    ? `#/apply/platforms/${evaluation[1]}`
    : `#/apply/applications/${task.entityId}`;
};

/** `#/apply`: my organisation, my applications with their status, what waits on me, my notifications. */
export function Dashboard() {
  useLang();
  const s = useSession();
  const unread = useUnread();
  const data = useLoad(async () => {
    const [apps, notes, tasks, org] = await Promise.all([
      get<PageOf<Application>>('/v1/applications?limit=50'),
      get<PageOf<Notification>>('/v1/notifications?limit=5'),
      get<PageOf<Task>>('/v1/tasks').catch(() => ({ items: [] as Task[] })),
      myOrganisation(),
    ]);
    // Call titles for the table (an applicant applies to few calls; a failed read shows the id).
    const callIds = [...new Set(apps.items.map((a) => a.callId))];
    const calls = await Promise.all(callIds.map((id) => get<Call>(`/v1/calls/${id}`).catch(() => undefined)));
    const callTitle = Object.fromEntries(calls.flatMap((c) => (c ? [[c.id, c.title]] : [])));
    return { apps: apps.items, notes: notes.items, tasks: tasks.items, org, callTitle };
  }, [s?.sub]);
  const d = data.data;
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>{t('applicant.dashboard')}</h1>
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !d}>
        {d ? (
          <>
            <Section title={t('applicant.org')}>
              {d.org ? (
                <OrganisationFacts org={d.org} />
              ) : (
                <p>
                  {t('applicant.org.none')} <a href="#/apply/organisation">{t('applicant.org.register')}</a>
                </p>
              )}
            </Section>
            <Section title={t('applicant.apps')}>
              {d.apps.length ? (
                <TableScroll label={t('applicant.apps')}>
                  <table aria-label={t('applicant.apps')}>
                    <thead>
                      <tr>
                        <th scope="col">{t('applicant.call')}</th>
                        <th scope="col">{t('common.status')}</th>
                        <th scope="col">{t('applicant.updatedAt')}</th>
                        <th scope="col">{t('common.actions')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.apps.map((a) => (
                        <tr key={a.id}>
                          <td>{d.callTitle[a.callId] ?? <code>{a.callId}</code>}</td>
                          <td>
                            <Status value={a.status} />
                          </td>
                          <td>{formatInstant(a.updatedAt)}</td>
                          <td>
                            <a href={`#/apply/applications/${a.id}`}>
                              {t('applicant.open')}
                              <span class="visually-hidden"> · {d.callTitle[a.callId] ?? a.callId}</span>
                            </a>
                            {a.status === 'recognised' ? (
                              <>
                                {' · '}
                                <a href={`#/apply/platforms/p-${a.id}`}>{t('applicant.platform.link')}</a>
                              </>
                            ) : null}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableScroll>
              ) : (
                <p>{t('applicant.apps.none')}</p>
              )}
              <p>
                <a href="#/apply/calls">{t('applicant.apps.new')}</a>
              </p>
              <p>
                <a href="#/apply/vouchers">{t('applicant.vouchers.link')}</a>
              </p>
            </Section>
            <Section title={t('applicant.tasks')}>
              {d.tasks.length ? (
                <ul>
                  {d.tasks.map((task) => (
                    <li key={task.id}>
                      {t(`applicant.task.${task.kind}`)} — {t('common.deadline')} {formatInstant(task.dueAt)}{' '}
                      <a href={taskLink(task)}>{t('applicant.open')}</a>
                    </li>
                  ))}
                </ul>
              ) : (
                <p>{t('common.none')}</p>
              )}
            </Section>
            <Section title={t('applicant.notifications')}>
              {d.notes.length ? (
                <ul class="notifications">
                  {d.notes.map((n) => {
                    const href = linkOf(n);
                    return (
                      <li key={n.id} class={n.read ? 'read' : 'unread'}>
                        {n.read ? null : <strong>{t('applicant.notes.unread')} · </strong>}
                        <time dateTime={n.at}>{formatInstant(n.at)}</time>{' '}
                        {href ? <a href={href}>{bilingual(n.title)}</a> : bilingual(n.title)}
                      </li>
                    );
                  })}
                </ul>
              ) : (
                <p>{t('common.none')}</p>
              )}
              <p>
                <a href="#/apply/notifications">
                  {unread === undefined
                    ? t('applicant.notes.allPlain')
                    : t('applicant.notes.all', { n: unread })}
                </a>
              </p>
            </Section>
          </>
        ) : null}
      </Loading>
    </main>
  );
}

/** `#/apply/calls`: the calls open for applications. */
export function OpenCalls() {
  useLang();
  const calls = useLoad(() => get<PageOf<Call>>('/v1/calls?status=open&limit=50'));
  return (
    <main id="main" class="applicant">
      <ApplicantNav />
      <h1>{t('applicant.calls.title')}</h1>
      <ProblemBox problem={calls.problem} />
      <Loading when={calls.loading}>
        {calls.data?.items.length ? (
          <ul class="cards">
            {calls.data.items.map((c) => (
              <li key={c.id} class="card">
                <h2>{c.title}</h2>
                <p>{c.description}</p>
                <p>
                  {t('applicant.calls.closesAt')} {formatInstant(c.closesAt)}
                </p>
                <a class="button" href={`#/apply/calls/${c.id}/new`}>
                  {t('applicant.calls.apply')}
                  <span class="visually-hidden"> · {c.title}</span>
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('applicant.calls.none')}</p>
        )}
      </Loading>
    </main>
  );
}
