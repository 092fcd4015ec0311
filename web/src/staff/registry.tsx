import { get } from '../api.ts';
import { formatInstant, t, useLang } from '../i18n.ts';
import { ListPage, Status } from '../ui.tsx';
import './messages.ts';

/** Notice status (Art. 8(4)) and the public registry, as staff see them; rows open the staff detail pages. */
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
  return (
    <ListPage<Notice>
      title={t('staff.notices')}
      load={() => get<{ items: Notice[] }>('/v1/public/notices?limit=100')}
      rowKey={(n) => n.id}
      columns={[
        {
          header: t('staff.calls.title'),
          cell: (n) => <a href={`#/staff/notices/${encodeURIComponent(n.id)}`}>{n.title}</a>,
        },
        { header: t('common.status'), cell: (n) => <Status value={n.status} /> },
        {
          header: t('staff.notices.period'),
          cell: (n) => `${formatInstant(n.startsAt)} – ${formatInstant(n.endsAt)}`,
        },
        { header: t('staff.notices.objections'), cell: (n) => n.objectionCount ?? '—' },
      ]}
    />
  );
}

export function Registry() {
  useLang();
  return (
    <ListPage<Platform>
      title={t('staff.registry')}
      load={() => get<{ items: Platform[] }>('/v1/public/platforms?limit=100')}
      rowKey={(p) => p.id}
      columns={[
        {
          header: t('staff.registry.host'),
          cell: (p) => <a href={`#/staff/platforms/${encodeURIComponent(p.id)}`}>{p.hostName}</a>,
        },
        { header: t('staff.app.uscc'), cell: (p) => <code>{p.uscc}</code> },
        { header: t('common.status'), cell: (p) => <Status value={p.status} /> },
        { header: t('staff.registry.validUntil'), cell: (p) => p.validUntil },
      ]}
    />
  );
}
