import { addMessages } from '../i18n.ts';
import type { Page } from '../router.ts';
import { CallDetail, Home } from './calls.tsx';
import { NoticeDetail, NoticeList } from './notices.tsx';
import { PlatformProfile, Registry } from './registry.tsx';
import { Showcase } from './showcase.tsx';

/** Public portal (no sign-in): open calls, public notices with the objection form, the registry and showcase. */
addMessages(
  { 'nav.publicNotices': '公示公告', 'nav.publicRegistry': '平台名录', 'nav.publicShowcase': '服务展示' },
  { 'nav.publicNotices': 'Notices', 'nav.publicRegistry': 'Registry', 'nav.publicShowcase': 'Showcase' },
);

export const publicPages: readonly Page[] = [
  { path: '/public', titleKey: 'nav.public', nav: true, component: Home },
  { path: '/public/calls/:id', titleKey: 'public.call.detail', component: CallDetail },
  { path: '/public/notices', titleKey: 'nav.publicNotices', nav: true, component: NoticeList },
  { path: '/public/notices/:id', titleKey: 'public.notices', component: NoticeDetail },
  { path: '/public/platforms', titleKey: 'nav.publicRegistry', nav: true, component: Registry },
  { path: '/public/platforms/:id', titleKey: 'public.registry', component: PlatformProfile },
  { path: '/public/showcase', titleKey: 'nav.publicShowcase', nav: true, component: Showcase },
];
