import type { Page } from '../router.ts';
import { ApplicationDetail, NewApplication } from './ApplicationPage.tsx';
import { Dashboard, OpenCalls } from './Dashboard.tsx';
import './messages.ts';
import { PlatformPage } from './PlatformPage.tsx';
import { RegisterOrganisation } from './Register.tsx';

/** Applicant portal: organisation, applications with evidence uploads, supplements and status. */
export const applicantPages: readonly Page[] = [
  { path: '/apply', titleKey: 'nav.applicant', nav: true, roles: ['applicant'], component: Dashboard },
  {
    path: '/apply/organisation',
    titleKey: 'applicant.reg.title',
    roles: ['applicant'],
    component: RegisterOrganisation,
  },
  { path: '/apply/calls', titleKey: 'applicant.calls.title', roles: ['applicant'], component: OpenCalls },
  {
    path: '/apply/calls/:callId/new',
    titleKey: 'applicant.app.newTitle',
    roles: ['applicant'],
    component: NewApplication,
  },
  {
    path: '/apply/applications/:id',
    titleKey: 'applicant.app.title',
    roles: ['applicant'],
    component: ApplicationDetail,
  },
  {
    path: '/apply/platforms/:platformId',
    titleKey: 'applicant.platform.title',
    roles: ['applicant'],
    component: PlatformPage,
  },
];
