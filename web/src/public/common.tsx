import { addMessages, t } from '../i18n.ts';

/**
 * Shared pieces of the public portal. Status texts use `public.`-prefixed keys so that the portal's
 * wording never depends on (or collides with) the status texts the other consoles add.
 */
addMessages(
  {
    'public.state.open': '公示中',
    'public.state.closed': '已结束',
    'public.state.scheduled': '即将开始',
    'public.state.draft': '草稿',
    'public.state.active': '有效',
    'public.state.expired': '已到期',
    'public.state.revoked': '已撤销',
    'public.call.open': '征集中',
    'public.call.scheduled': '即将开放',
    'public.call.closed': '已截止',
    'public.call.draft': '草稿',
    'public.first': '第一页',
    'public.cat.compute': '算力',
    'public.cat.model': '模型',
    'public.cat.data': '数据',
    'public.cat.industrial_software': '工业软件',
    'public.cat.other': '其他',
    'public.cust.enterprise': '企业',
    'public.cust.government': '政府部门',
    'public.cust.research': '科研机构',
    'public.cust.individual': '个人',
    'public.cust.other': '其他',
  },
  {
    'public.state.open': 'Open',
    'public.state.closed': 'Closed',
    'public.state.scheduled': 'Starting soon',
    'public.state.draft': 'Draft',
    'public.state.active': 'Active',
    'public.state.expired': 'Expired',
    'public.state.revoked': 'Revoked',
    'public.call.open': 'Open for applications',
    'public.call.scheduled': 'Opens soon',
    'public.call.closed': 'Closed',
    'public.call.draft': 'Draft',
    'public.first': 'First page',
    'public.cat.compute': 'Compute',
    'public.cat.model': 'Models',
    'public.cat.data': 'Data',
    'public.cat.industrial_software': 'Industrial software',
    'public.cat.other': 'Other',
    'public.cust.enterprise': 'Enterprise',
    'public.cust.government': 'Government',
    'public.cust.research': 'Research institution',
    'public.cust.individual': 'Individual',
    'public.cust.other': 'Other',
  },
);

/** A status badge with the portal's own wording (`prefix` chooses the vocabulary). */
export function Badge({ value, prefix = 'public.state' }: { value: string; prefix?: string }) {
  return <span class={`status status-${value}`}>{t(`${prefix}.${value}`)}</span>;
}

addMessages({ 'public.pages': '翻页' }, { 'public.pages': 'Pages' });

/** Query string from the set values only. */
export const qs = (params: Record<string, string | number | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** A YYYY-MM-DD calendar date shown as it is (it is already an Asia/Shanghai date). */
export const formatDate = (d: string | undefined): string => d ?? '—';
