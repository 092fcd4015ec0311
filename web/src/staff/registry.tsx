import { get } from '../api.ts';
import { formatInstant, t, useLang } from '../i18n.ts';
import { Loading, ProblemBox, Status, useLoad } from '../ui.tsx';
import './messages.ts';

/** Notice status (Art. 8(4)) and the public registry, as staff see them. */
interface Notice {
  id: string;
  title: string;
  status: string;
  startsAt: string;
  endsAt: string;
  objectionCount?: number;
  entries: unknown[];
}
interface Platform {
  id: string;
  hostName: string;
  uscc: string;
  status: string;
  validUntil: string;
}

export function Notices() {
  useLang();
  const notices = useLoad(() => get<{ items: Notice[] }>('/v1/public/notices?limit=100'));
  return (
    <main id="main">
      <h1>{t('staff.notices')}</h1>
      <ProblemBox problem={notices.problem} />
      <Loading when={notices.loading && !notices.data}>
        <div class="table-wrap">
          <table aria-label={t('staff.notices')}>
            <thead>
              <tr>
                <th scope="col">{t('staff.calls.title')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('staff.notices.period')}</th>
                <th scope="col">{t('staff.notices.objections')}</th>
              </tr>
            </thead>
            <tbody>
              {(notices.data?.items ?? []).map((n) => (
                <tr key={n.id}>
                  <td>{n.title}</td>
                  <td>
                    <Status value={n.status} />
                  </td>
                  <td>
                    {formatInstant(n.startsAt)} – {formatInstant(n.endsAt)}
                  </td>
                  <td>{n.objectionCount ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Loading>
    </main>
  );
}

export function Registry() {
  useLang();
  const platforms = useLoad(() => get<{ items: Platform[] }>('/v1/public/platforms?limit=100'));
  return (
    <main id="main">
      <h1>{t('staff.registry')}</h1>
      <ProblemBox problem={platforms.problem} />
      <Loading when={platforms.loading && !platforms.data}>
        <div class="table-wrap">
          <table aria-label={t('staff.registry')}>
            <thead>
              <tr>
                <th scope="col">{t('staff.registry.host')}</th>
                <th scope="col">{t('staff.app.uscc')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('staff.registry.validUntil')}</th>
              </tr>
            </thead>
            <tbody>
              {(platforms.data?.items ?? []).map((p) => (
                <tr key={p.id}>
                  <td>{p.hostName}</td>
                  <td>
                    <code>{p.uscc}</code>
                  </td>
                  <td>
                    <Status value={p.status} />
                  </td>
                  <td>{p.validUntil}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Loading>
    </main>
  );
}
