import type { Page } from '../router.ts';
import { ApplicationDetail, NewApplication } from './ApplicationPage.tsx';
import { Dashboard, OpenCalls } from './Dashboard.tsx';
import './messages.ts';
import { NotificationsPage } from './Notifications.tsx';
import { PlatformPage } from './PlatformPage.tsx';
import { RevocationPage } from './platform/Revocation.tsx';
import { RegisterOrganisation } from './Register.tsx';
import { VouchersPage } from './Vouchers.tsx';

/**
 * Applicant portal: organisation, applications with evidence uploads, supplements, withdrawal and
 * status; notifications; the host's platform work (changes, catalogue, vouchers, revocation, report);
 * an enterprise's compute voucher claims.
 */
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
    path: '/apply/notifications',
    titleKey: 'applicant.notes.title',
    roles: ['applicant'],
    component: NotificationsPage,
  },
  {
    path: '/apply/platforms/:platformId',
    titleKey: 'applicant.platform.title',
    roles: ['applicant'],
    component: PlatformPage,
  },
  {
    path: '/apply/revocations/:id',
    titleKey: 'applicant.rev.pageTitle',
    roles: ['applicant'],
    component: RevocationPage,
  },
  {
    path: '/apply/vouchers',
    titleKey: 'applicant.vouchers.title',
    roles: ['applicant'],
    component: VouchersPage,
  },
  {
    path: '/apply/vouchers/:platformId',
    titleKey: 'applicant.vouchers.title',
    roles: ['applicant'],
    component: VouchersPage,
  },
];
