import type { Page } from '../../router.ts';
import type { Role } from '../../session.ts';
import { EvaluationDetail } from './evaluation-platform.tsx';
import { Experts } from './experts.tsx';
import { Exports } from './exports.tsx';
import './messages.ts';
import { SettingsPage } from './settings.tsx';
import { VoucherDetail } from './voucher-detail.tsx';
import { Vouchers } from './vouchers.tsx';

/**
 * Staff console: annual evaluation (a platform's report and grading; the cycle page itself is
 * `../evaluation.tsx`), compute vouchers, CSV exports, the expert pool and settings. Each page shows
 * what the caller's role may do; the API decides.
 */
const OFFICE: readonly Role[] = ['officer', 'approver', 'admin', 'observer'];

export const financePages: readonly Page[] = [
  {
    path: '/staff/evaluation/:year/:platformId',
    titleKey: 'fin.evald.titleShort',
    roles: OFFICE,
    component: EvaluationDetail,
  },
  { path: '/staff/vouchers', titleKey: 'fin.vouchers', nav: true, roles: OFFICE, component: Vouchers },
  { path: '/staff/vouchers/:id', titleKey: 'fin.voucher', roles: OFFICE, component: VoucherDetail },
  { path: '/staff/exports', titleKey: 'fin.exports', nav: true, roles: OFFICE, component: Exports },
  {
    path: '/staff/experts',
    titleKey: 'fin.experts',
    nav: true,
    roles: ['officer', 'admin'],
    component: Experts,
  },
  {
    path: '/staff/settings',
    titleKey: 'fin.settings',
    nav: true,
    roles: ['officer', 'approver', 'admin'],
    component: SettingsPage,
  },
];
