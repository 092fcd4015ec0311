import type { Page } from '../router.ts';
import type { Role } from '../session.ts';
import { ApplicationDetail } from './application.tsx';
import { CallDetail, Calls } from './calls.tsx';
import { Grades } from './evaluation.tsx';
import { financePages } from './finance/index.tsx';
import { Inbox } from './inbox.tsx';
import { StaffNotifications } from './notifications.tsx';
import './messages.ts';
import { operationsPages } from './operations/index.tsx';
import { Notices, Registry } from './registry.tsx';

/**
 * Staff console: inbox, calls, applications, ranking and lists, notices, registry, evaluations.
 * Pages are open to every staff role; each page shows the actions of the caller's role and the API
 * decides (an observer reads, an officer decides, an approver approves, an expert scores).
 */
const STAFF: readonly Role[] = ['officer', 'expert', 'approver', 'admin', 'observer'];
const OFFICE: readonly Role[] = ['officer', 'approver', 'admin', 'observer'];

export const staffPages: readonly Page[] = [
  { path: '/staff', titleKey: 'staff.inbox', nav: true, roles: STAFF, component: Inbox },
  { path: '/staff/calls', titleKey: 'staff.calls', nav: true, roles: OFFICE, component: Calls },
  { path: '/staff/calls/:id', titleKey: 'staff.calls.detail', roles: OFFICE, component: CallDetail },
  {
    path: '/staff/applications/:id',
    titleKey: 'staff.app',
    roles: ['officer', 'expert', 'approver', 'admin'],
    component: ApplicationDetail,
  },
  { path: '/staff/notices', titleKey: 'staff.notices', nav: true, roles: OFFICE, component: Notices },
  { path: '/staff/registry', titleKey: 'staff.registry', nav: true, roles: OFFICE, component: Registry },
  { path: '/staff/evaluation', titleKey: 'staff.grades', nav: true, roles: OFFICE, component: Grades },
  {
    path: '/staff/notifications',
    titleKey: 'staff.notes.title',
    roles: STAFF,
    component: StaffNotifications,
  },
  ...operationsPages,
  ...financePages,
];
