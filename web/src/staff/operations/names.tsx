import { useEffect, useState } from 'preact/hooks';
import { get } from '../../api.ts';
import { t } from '../../i18n.ts';
import { enc } from './common.tsx';

/**
 * What a row is about, by name: an application's organisation, an organisation, a platform's host.
 * Names are fetched lazily, once per distinct entity (the promise is cached for the page's life), and
 * never hold up the list: the id shows until the name arrives, and stays if it cannot be read.
 */
export type NamedKind = 'application' | 'organisation' | 'platform' | 'evaluation' | 'call' | 'notice';

const cache = new Map<string, Promise<string>>();

/** `e-<year>-<platformId>` (evaluationIdFor) → its year and platform. */
export function parseEvaluationId(id: string): { year: number; platformId: string } | undefined {
  const m = /^e-(\d{4})-(.+)$/.exec(id);
  return m ? { year: Number(m[1]), platformId: m[2] ?? '' } : undefined;
}

function load(kind: NamedKind, id: string): Promise<string> {
  switch (kind) {
    case 'application':
      return get<{ orgName: string }>(`/v1/applications/${enc(id)}`).then((a) => a.orgName);
    case 'organisation':
      return get<{ name: string }>(`/v1/organisations/${enc(id)}`).then((o) => o.name);
    case 'platform':
      return get<{ hostName: string }>(`/v1/platforms/${enc(id)}`).then((p) => p.hostName);
    case 'notice':
      return get<{ title: string }>(`/v1/public/notices/${enc(id)}`).then((n) => n.title);
    case 'call':
      return get<{ title: string }>(`/v1/calls/${enc(id)}`).then((c) => c.title);
    case 'evaluation': {
      const e = parseEvaluationId(id);
      return e ? nameOf('platform', e.platformId) : Promise.reject(new Error(id));
    }
  }
}

export function nameOf(kind: NamedKind, id: string): Promise<string> {
  const key = `${kind}:${id}`;
  let p = cache.get(key);
  if (!p) {
    p = load(kind, id);
    // A failed read is forgotten so a later page may try again.
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/** Tells the cache a name it already knows (from a list that carries it), saving a request. */
export function rememberName(kind: NamedKind, id: string, name: string): void {
  if (!cache.has(`${kind}:${id}`)) cache.set(`${kind}:${id}`, Promise.resolve(name));
}

export function useName(
  kind: NamedKind,
  id: string,
  known?: string,
): { name: string | undefined; failed: boolean } {
  const [state, setState] = useState<{ name: string | undefined; failed: boolean }>({
    name: known,
    failed: false,
  });
  useEffect(() => {
    if (known) {
      setState({ name: known, failed: false });
      return;
    }
    let alive = true;
    setState({ name: undefined, failed: false });
    nameOf(kind, id).then(
      (n) => alive && setState({ name: n, failed: false }),
      () => alive && setState({ name: undefined, failed: true }),
    );
    return () => {
      alive = false;
    };
  }, [kind, id, known]);
  return state;
}

/** The entity's name, or its id (muted; marked busy for assistive technology while it loads). */
export function Named({ kind, id, known }: { kind: NamedKind; id: string; known?: string | undefined }) {
  const { name, failed } = useName(kind, id, known);
  if (name) return <span class="entity-name">{name}</span>;
  return (
    <span
      class="ops-muted"
      aria-busy={failed ? undefined : 'true'}
      title={failed ? undefined : t('ops.name.loading')}
    >
      <code>{id}</code>
    </span>
  );
}
