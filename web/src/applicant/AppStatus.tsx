import { t } from '../i18n.ts';
import './messages.ts';

/**
 * The applicant portal's status badge: its own texts (`applicant.status.*`), because the consoles share
 * one message table and the staff console words the same states for staff ("待办" vs "待处理").
 */
export function Status({ value }: { value: string | undefined }) {
  return (
    <span class={`status status-${value ?? 'none'}`}>{value ? t(`applicant.status.${value}`) : '—'}</span>
  );
}
