import { type ComponentChildren, Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { newIdempotencyKey } from '../../api.ts';
import { formatInstant, t } from '../../i18n.ts';
import './messages.ts';

/** Shared pieces of the operations pages (organisations, platforms, notices, revocations). */
export const enc = encodeURIComponent;

/** A query parameter of the hash route (`#/staff/platforms/p-1?changeRequest=c-1`). */
export function hashParam(name: string): string | undefined {
  const q = location.hash.split('?')[1];
  return q ? (new URLSearchParams(q).get(name) ?? undefined) : undefined;
}

export const isPast = (iso: string | undefined): boolean => Boolean(iso && Date.parse(iso) < Date.now());

/**
 * One user action against the API: one Idempotency-Key kept across its retries and renewed after it
 * succeeded (the next action is a new one), the server's problem kept for the form.
 */
export function useAction() {
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const run = async <T,>(call: (idempotencyKey: string) => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setProblem(undefined);
    try {
      const result = await call(key);
      setKey(newIdempotencyKey());
      return result;
    } catch (e) {
      setProblem(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { problem, busy, run };
}

/** Facts as a definition list (label, value), the staff pages' layout. */
type FactRow = readonly [string, ComponentChildren] | null | false | undefined | '';

export function Facts({ rows }: { rows: readonly FactRow[] }) {
  return (
    <dl class="staff-facts">
      {rows
        .filter((r): r is readonly [string, ComponentChildren] => Boolean(r))
        .map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
    </dl>
  );
}

/** A due instant, with "overdue" in words (not only colour) once it has passed. */
export function Due({ at, overdueWord = true }: { at: string | undefined; overdueWord?: boolean }) {
  if (!at) return <>—</>;
  return (
    <>
      <time dateTime={at}>{formatInstant(at)}</time>
      {overdueWord && isPast(at) ? <strong class="error"> {t('staff.inbox.overdue')}</strong> : null}
    </>
  );
}

/** Scrolls to and focuses the element with this id once it exists (a deep link's target). */
export function useFocusTarget(id: string | undefined, ready: boolean): void {
  useEffect(() => {
    if (!id || !ready) return;
    const el = document.getElementById(id);
    if (el) {
      el.scrollIntoView({ block: 'start' });
      el.focus({ preventScroll: true });
    }
  }, [id, ready]);
}

/** A short confirmation, announced politely (`role=status`). */
export function Notice({ text }: { text: string }) {
  return (
    <p role="status" class="ok">
      {text}
    </p>
  );
}

/** Lists as text (capabilities, tasks): one item per line in a list. */
export function Items({ values }: { values: unknown }) {
  const list = Array.isArray(values) ? values.map(String) : [];
  if (!list.length) return <>{Array.isArray(values) || values === undefined ? '—' : String(values)}</>;
  return (
    <ul class="plain-list">
      {list.map((v) => (
        <li key={v}>{v}</li>
      ))}
    </ul>
  );
}
