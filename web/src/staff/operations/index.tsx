import type { Page } from '../../router.ts';
import type { Role } from '../../session.ts';
import { NoticePage } from './notice.tsx';
import { OrganisationPage } from './organisation.tsx';
import { PlatformPage } from './platform.tsx';
import { RevocationPage, Revocations } from './revocations.tsx';
import './messages.ts';

/**
 * Staff console, operations pages: organisation verification, platform records with change-request
 * decisions, notices with objections, revocations. The inbox (`../inbox.tsx`) links to each.
 */
const OFFICE: readonly Role[] = ['officer', 'approver', 'admin', 'observer'];
const CASES: readonly Role[] = ['officer', 'approver', 'admin'];

export const operationsPages: readonly Page[] = [
  {
    path: '/staff/organisations/:id',
    titleKey: 'ops.org.title',
    roles: ['officer', 'approver'],
    component: OrganisationPage,
  },
  { path: '/staff/platforms/:id', titleKey: 'ops.platform.title', roles: OFFICE, component: PlatformPage },
  { path: '/staff/notices/:id', titleKey: 'ops.notice.title', roles: OFFICE, component: NoticePage },
  {
    path: '/staff/revocations',
    titleKey: 'ops.revocations',
    nav: true,
    roles: CASES,
    component: Revocations,
  },
  {
    path: '/staff/revocations/:id',
    titleKey: 'ops.revoke.caseTitle',
    roles: CASES,
    component: RevocationPage,
  },
];
