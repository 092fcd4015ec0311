import { addMessages, t } from '../i18n.ts';
import type { Page } from '../router.ts';

/** Staff console: inbox, calls, applications, ranking and lists, notices, registry, evaluations, revocations. */
addMessages({ 'staff.home': '工作台' }, { 'staff.home': 'Staff console' });

function Home() {
  return (
    <main id="main">
      <h1>{t('staff.home')}</h1>
    </main>
  );
}

export const staffPages: readonly Page[] = [
  {
    path: '/staff',
    titleKey: 'nav.staff',
    nav: true,
    roles: ['officer', 'expert', 'approver', 'admin', 'observer'],
    component: Home,
  },
];
