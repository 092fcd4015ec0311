import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { ApiProblem, type FieldProblem } from './api.ts';
import { t } from './i18n.ts';

/**
 * Shared, accessible building blocks: every input has a label, errors are announced (`role=alert`,
 * `aria-invalid`, `aria-describedby`), buttons are real buttons, tables have headers.
 */
interface FieldProps {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean | undefined;
}

/** The ids of a control's hint and error, for its `aria-describedby`. */
const describedBy = (p: FieldProps): string | undefined =>
  [p.hint ? `${p.id}-hint` : '', p.error ? `${p.id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** What every labelled control shares: the label (with a `*` when required), then its hint and error. */
function FieldFrame(props: FieldProps & { children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {props.children}
      {props.hint ? <small id={`${props.id}-hint`}>{props.hint}</small> : null}
      {props.error ? (
        <small id={`${props.id}-error`} class="error" role="alert">
          {props.error}
        </small>
      ) : null}
    </div>
  );
}

export function Field(
  props: FieldProps & {
    value: string | number;
    onInput: (v: string) => void;
    type?: string;
  },
) {
  return (
    <FieldFrame {...props}>
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props)}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
    </FieldFrame>
  );
}

/** A labelled multi-line text (4 rows unless told). */
export function TextAreaField(
  props: FieldProps & {
    value: string;
    onInput: (v: string) => void;
    rows?: number;
  },
) {
  return (
    <FieldFrame {...props}>
      <textarea
        id={props.id}
        rows={props.rows ?? 4}
        required={props.required}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props)}
        onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
      />
    </FieldFrame>
  );
}

/** A labelled choice among `options` (each shown as `optionLabel(value)`), with an optional empty first choice. */
export function SelectField<V extends string>(
  props: FieldProps & {
    value: V | undefined;
    onChange: (v: V) => void;
    options: readonly V[];
    optionLabel: (v: V) => string;
    empty?: string | undefined;
  },
) {
  return (
    <FieldFrame {...props}>
      <select
        id={props.id}
        value={props.value}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props)}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as V)}
      >
        {props.empty !== undefined ? <option value="">{props.empty}</option> : null}
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.optionLabel(o)}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A choice among a few `options` as radio buttons in a fieldset its `legend` names. */
export function RadioGroup<V extends string | boolean>(props: {
  legend: string;
  name: string;
  options: readonly V[];
  value: V | undefined;
  onChange: (v: V) => void;
  optionLabel: (v: V) => string;
  required?: boolean;
}) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.options.map((v) => (
        <label key={String(v)} class="choice">
          <input
            type="radio"
            name={props.name}
            value={String(v)}
            required={props.required}
            checked={props.value === v}
            onChange={() => props.onChange(v)}
          />{' '}
          {props.optionLabel(v)}
        </label>
      ))}
    </fieldset>
  );
}

/** The server's problem, with the fields to fix. */
export function ProblemBox({ problem }: { problem: unknown }) {
  if (!problem) return null;
  const p =
    problem instanceof ApiProblem
      ? problem
      : new ApiProblem(0, undefined, String((problem as Error).message ?? problem));
  return (
    <div class="problem" role="alert">
      <strong>{p.code ?? t('common.error')}</strong> {p.detail}
      {p.errors.length ? (
        <ul>
          {p.errors.map((e) => (
            <li key={e.path}>
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export const fieldError = (problem: unknown, path: string): string | undefined =>
  problem instanceof ApiProblem
    ? problem.errors.find((e: FieldProblem) => e.path === path || e.path === `body.${path}`)?.message
    : undefined;

/**
 * A form or button that calls the API: `busy` while `run(call)` runs, then the server's problem if it
 * failed (cleared when it runs again). `submit(call)` is `run` as a form's submit handler.
 */
export function useRun(): {
  problem: unknown;
  busy: boolean;
  run: (call: () => Promise<void>) => Promise<void>;
  submit: (call: () => Promise<void>) => (e: Event) => Promise<void>;
} {
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<void>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await call();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  };
  return {
    problem,
    busy,
    run,
    submit: (call) => (e) => {
      e.preventDefault();
      return run(call);
    },
  };
}

/** Loads data for a page; `reload()` after a change. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[] = [],
): {
  data: T | undefined;
  problem: unknown;
  loading: boolean;
  reload: () => void;
} {
  const [state, setState] = useState<{ data?: T; problem?: unknown; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  // The caller lists what the load depends on (`deps`); `n` is bumped by `reload()`.
  useEffect(() => {
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => alive && setState({ data, loading: false }),
      (problem: unknown) => alive && setState({ problem, loading: false }),
    );
    return () => {
      alive = false;
    };
  }, [n, ...deps]);
  return {
    data: state.data,
    problem: state.problem,
    loading: state.loading,
    reload: () => setN((x) => x + 1),
  };
}

export function Loading({ when, children }: { when: boolean; children?: ComponentChildren }) {
  return when ? <p aria-busy="true">{t('common.loading')}</p> : children;
}

export function Status({ value }: { value: string | undefined }) {
  return <span class={`status status-${value ?? 'none'}`}>{value ? t(`status.${value}`) : '—'}</span>;
}

/** A titled part of a page; its heading names it, so it is a landmark (`region`) screen readers list. */
export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** One column of a `DataTable`: its header text and how a row fills its cell. */
export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => ComponentChildren;
}

/**
 * A wide table's box: scrolls sideways on a phone and, being scrollable, is reachable by keyboard. A
 * named group, not a landmark: the page's sections are the regions, and a region per table would list
 * each name twice.
 */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls sideways must take keyboard focus (WCAG 2.1.1; axe scrollable-region-focusable)
    // biome-ignore lint/a11y/useSemanticElements: a fieldset groups form controls; this groups a table for its name
    <div class="table-wrap" role="group" tabIndex={0} aria-label={label}>
      {children}
    </div>
  );
}

/** A labelled table (headers scoped for screen readers) that scrolls sideways on a phone. */
export function DataTable<T>(props: {
  label: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
}) {
  return (
    <TableScroll label={props.label}>
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((c) => (
                <td key={c.header}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** A page that lists what `load` returns in a `DataTable`, with the server's problem if it fails. */
export function ListPage<T>(props: {
  title: string;
  load: () => Promise<{ items: T[] }>;
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
}) {
  const list = useLoad(props.load);
  return (
    <main id="main">
      <h1>{props.title}</h1>
      <ProblemBox problem={list.problem} />
      <Loading when={list.loading && !list.data}>
        <DataTable
          label={props.title}
          columns={props.columns}
          rows={list.data?.items ?? []}
          rowKey={props.rowKey}
        />
      </Loading>
    </main>
  );
}

/** Cursor paging as the API offers it (`nextCursor`, no totals): the cursors visited, to go back and forth. */
export function useCursor(): {
  cursor: string | undefined;
  page: number;
  next: (c: string) => void;
  prev: () => void;
  reset: () => void;
} {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: stack[stack.length - 1],
    page: stack.length,
    next: (c) => setStack((s) => [...s, c]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([undefined]),
  };
}

/** Previous / page n / next, for a `useCursor` list; nothing while there is only one page. */
export function Pager(props: {
  label: string;
  pager: ReturnType<typeof useCursor>;
  nextCursor: string | undefined;
  class?: string;
}) {
  const { pager, nextCursor } = props;
  if (pager.page === 1 && !nextCursor) return null;
  return (
    <nav class={props.class ?? 'pager'} aria-label={props.label}>
      <button type="button" class="secondary" disabled={pager.page === 1} onClick={pager.prev}>
        {t('common.prevPage')}
      </button>
      <span>{t('common.pageNo', { n: pager.page })}</span>
      <button
        type="button"
        class="secondary"
        disabled={!nextCursor}
        onClick={() => nextCursor && pager.next(nextCursor)}
      >
        {t('common.next')}
      </button>
    </nav>
  );
}
