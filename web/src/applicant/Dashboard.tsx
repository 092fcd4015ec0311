import { get } from '../api.ts';
import { formatCny, formatInstant, t, useLang } from '../i18n.ts';
import { useSession } from '../session.ts';
import { Loading, ProblemBox, Section, useLoad } from '../ui.tsx';
import { Status } from './AppStatus.tsx';
import './messages.ts';
import {
  type Application,
  type Call,
  type Notification,
  type Organisation,
  type PageOf,
  rememberedOrgId,
  type Task,
} from './model.ts';

/** `#/apply`: my organisation, my applications with their status, what waits on me, my notifications. */
export function Dashboard() {
  useLang();
  const s = useSession();
  const data = useLoad(async () => {
    const [apps, notes, tasks] = await Promise.all([
      get<PageOf<Application>>('/v1/applications?limit=50'),
      get<PageOf<Notification>>('/v1/notifications?limit=20'),
      get<PageOf<Task>>('/v1/tasks').catch(() => ({ items: [] as Task[] })),
    ]);
    const orgId = (s && rememberedOrgId(s.sub)) ?? apps.items[0]?.orgId;
    // Call titles for the table (an applicant applies to few calls; a failed read shows the id).
    const callIds = [...new Set(apps.items.map((a) => a.callId))];
    const calls = await Promise.all(callIds.map((id) => get<Call>(`/v1/calls/${id}`).catch(() => undefined)));
    const callTitle = Object.fromEntries(calls.flatMap((c) => (c ? [[c.id, c.title]] : [])));
    const org = orgId
      ? await get<Organisation>(`/v1/organisations/${orgId}`).catch(() => undefined)
      : undefined;
    return { apps: apps.items, notes: notes.items, tasks: tasks.items, org, callTitle };
  }, [s?.sub]);
  const d = data.data;
  return (
    <main id="main" class="applicant">
      <h1>{t('applicant.dashboard')}</h1>
      <ProblemBox problem={data.problem} />
      <Loading when={data.loading && !d}>
        {d ? (
          <>
            <Section title={t('applicant.org')}>
              {d.org ? (
                <dl class="facts">
                  <dt>{t('applicant.reg.name')}</dt>
                  <dd>{d.org.name}</dd>
                  <dt>{t('applicant.reg.uscc')}</dt>
                  <dd>
                    <code>{d.org.uscc}</code>
                  </dd>
                  <dt>{t('applicant.reg.capital')}</dt>
                  <dd>{formatCny(d.org.registeredCapitalCny)}</dd>
                  <dt>{t('applicant.org.verification')}</dt>
                  <dd>
                    <Status value={d.org.verification.status} />
                  </dd>
                </dl>
              ) : (
                <p>
                  {t('applicant.org.none')} <a href="#/apply/organisation">{t('applicant.org.register')}</a>
                </p>
              )}
            </Section>
            <Section title={t('applicant.apps')}>
              {d.apps.length ? (
                <table>
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
              ) : (
                <p>{t('applicant.apps.none')}</p>
              )}
              <p>
                <a href="#/apply/calls">{t('applicant.apps.new')}</a>
              </p>
            </Section>
            <Section title={t('applicant.tasks')}>
              {d.tasks.length ? (
                <ul>
                  {d.tasks.map((task) => (
                    <li key={task.id}>
                      {t(`applicant.task.${task.kind}`)} — {t('common.deadline')} {formatInstant(task.dueAt)}{' '}
                      <a href={`#/apply/applications/${task.entityId}`}>{t('applicant.open')}</a>
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
                  {d.notes.map((n) => (
                    <li key={n.id} class={n.read ? 'read' : 'unread'}>
                      <time dateTime={n.at}>{formatInstant(n.at)}</time> {n.title}
                    </li>
                  ))}
                </ul>
              ) : (
                <p>{t('common.none')}</p>
              )}
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
