import { useEffect, useState } from 'preact/hooks';

/**
 * Chinese (zh-CN) first, with an English switch (issue 7). Each console adds its own messages with
 * `addMessages`; a missing English text falls back to the Chinese one, a missing key shows the key
 * (so it is noticed, never blank).
 */
export type Lang = 'zh-CN' | 'en';
type Dict = Record<string, string>;
const messages: Record<Lang, Dict> = { 'zh-CN': {}, en: {} };

export function addMessages(zh: Dict, en: Dict): void {
  Object.assign(messages['zh-CN'], zh);
  Object.assign(messages.en, en);
}

const KEY = 'zs-console-lang';
let lang: Lang = (localStorage.getItem(KEY) as Lang | null) ?? 'zh-CN';
const listeners = new Set<(l: Lang) => void>();

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  for (const l of listeners) l(next);
}

export const currentLang = (): Lang => lang;

/** `t('key', { n: 3 })` replaces `{n}`. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const text = messages[lang][key] ?? messages['zh-CN'][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

/** Re-renders the caller when the language changes. */
export function useLang(): Lang {
  const [l, setL] = useState(lang);
  useEffect(() => {
    listeners.add(setL);
    return () => {
      listeners.delete(setL);
    };
  }, []);
  return l;
}

export const formatCny = (n: number): string =>
  new Intl.NumberFormat(lang, { style: 'currency', currency: 'CNY', maximumFractionDigits: 0 }).format(n);
export const formatInstant = (iso: string | undefined): string =>
  iso
    ? new Intl.DateTimeFormat(lang, {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'Asia/Shanghai',
      }).format(new Date(iso))
    : '—';

addMessages(
  {
    'app.title': '中山市人工智能赋能平台',
    'nav.public': '公众门户',
    'nav.applicant': '申报企业',
    'nav.staff': '工作台',
    'nav.signIn': '登录',
    'nav.signOut': '退出',
    'nav.lang': 'English',
    'nav.notifications': '通知 ({n} 条未读)',
    'nav.notificationsUnknown': '通知',
    'signIn.title': '登录',
    'signIn.role': '角色',
    'signIn.user': '用户标识',
    'signIn.submit': '登录',
    'signIn.hosted': '前往统一身份认证登录',
    'role.applicant': '申报企业',
    'role.officer': '产业办工作人员',
    'role.expert': '评审专家',
    'role.approver': '审批负责人',
    'role.admin': '系统管理员',
    'role.observer': '观察员（数据共享）',
    'common.loading': '加载中…',
    'common.save': '保存',
    'common.submit': '提交',
    'common.cancel': '取消',
    'common.next': '下一页',
    'common.prevPage': '上一页',
    'common.pageNo': '第 {n} 页',
    'common.none': '暂无',
    'common.error': '出错了',
    'common.back': '返回',
    'common.status': '状态',
    'common.deadline': '截止时间',
    'common.actions': '操作',
    'common.notFound': '未找到该页面',
    'common.forbidden': '当前角色无权访问此页面',
  },
  {
    'app.title': 'Zhongshan AI Enablement Platforms',
    'nav.public': 'Public portal',
    'nav.applicant': 'Applicant portal',
    'nav.staff': 'Staff console',
    'nav.signIn': 'Sign in',
    'nav.signOut': 'Sign out',
    'nav.lang': '中文',
    'nav.notifications': 'Notifications ({n} unread)',
    'nav.notificationsUnknown': 'Notifications',
    'signIn.title': 'Sign in',
    'signIn.role': 'Role',
    'signIn.user': 'User id',
    'signIn.submit': 'Sign in',
    'signIn.hosted': 'Continue to the sign-in page',
    'role.applicant': 'Applicant company',
    'role.officer': 'AI Industry Office officer',
    'role.expert': 'Expert',
    'role.approver': 'Approver',
    'role.admin': 'Administrator',
    'role.observer': 'Observer (data sharing)',
    'common.loading': 'Loading…',
    'common.save': 'Save',
    'common.submit': 'Submit',
    'common.cancel': 'Cancel',
    'common.next': 'Next page',
    'common.prevPage': 'Previous page',
    'common.pageNo': 'Page {n}',
    'common.none': 'None',
    'common.error': 'Something went wrong',
    'common.back': 'Back',
    'common.status': 'Status',
    'common.deadline': 'Deadline',
    'common.actions': 'Actions',
    'common.notFound': 'Page not found',
    'common.forbidden': 'Your role cannot open this page',
  },
);
