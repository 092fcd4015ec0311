import { addMessages, t } from '../i18n.ts';
import type { Page } from '../router.ts';

/** Applicant portal: organisation, applications with evidence uploads, supplements, changes, self-evaluation. */
addMessages({ 'applicant.home': '申报企业' }, { 'applicant.home': 'Applicant portal' });

function Home() {
  return (
    <main id="main">
      <h1>{t('applicant.home')}</h1>
    </main>
  );
}

export const applicantPages: readonly Page[] = [
  { path: '/apply', titleKey: 'nav.applicant', nav: true, roles: ['applicant'], component: Home },
];
