import { useState } from 'preact/hooks';
import { ApiProblem, get, newIdempotencyKey } from '../../api.ts';
import { currentConfig } from '../../config.ts';
import { currentLang, t } from '../../i18n.ts';
import { session } from '../../session.ts';
import './messages.ts';

/**
 * Helpers shared by the finance pages of the staff console (evaluation, vouchers, exports, experts,
 * settings): authorised file downloads, paging through cursors, whole-yuan formatting.
 */
export const enc = encodeURIComponent;

/** Whole CNY with group separators ("500,000 元" / "CNY 500,000"). */
export const yuan = (n: number | undefined): string =>
  n === undefined ? '—' : t('fin.cny', { n: new Intl.NumberFormat(currentLang()).format(n) });

/**
 * Fetches `path` with the signed-in user's bearer token and returns the body as a Blob and the file
 * name the server suggests (Content-Disposition), or throws the server's problem as an `ApiProblem`.
 */
export async function download(path: string): Promise<{ blob: Blob; fileName: string | undefined }> {
  const token = session.value?.token;
  let res: Response;
  try {
    res = await fetch(`${currentConfig().apiUrl}${path}`, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  } catch (e) {
    throw new ApiProblem(0, 'NETWORK', `The service cannot be reached (${(e as Error).message}).`);
  }
  if (!res.ok) {
    const text = await res.text();
    let p: { code?: string; detail?: string; title?: string; message?: string; errors?: [] } = {};
    try {
      p = JSON.parse(text) as typeof p;
    } catch {
      p = { detail: text };
    }
    throw new ApiProblem(
      res.status,
      p.code,
      p.detail ?? p.title ?? p.message ?? `HTTP ${res.status}`,
      p.errors ?? [],
    );
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return { blob: await res.blob(), fileName: m?.[1] ? decodeURIComponent(m[1]) : undefined };
}

/** Saves a Blob as a file through an object URL and an `<a download>`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A 404 becomes `undefined` (e.g. "no cycle this year"); other problems are thrown. */
export async function orNone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 404) return undefined;
    throw e;
  }
}

/** A verified evidence file of a platform, downloaded through a 5-minute (audited) link. */
export async function openPlatformEvidence(platformId: string, evidenceId: string): Promise<void> {
  const { url } = await get<{ url: string }>(
    `/v1/platforms/${enc(platformId)}/evidence/${enc(evidenceId)}/download`,
  );
  window.open(url, '_blank', 'noopener');
}

/** `YYYY-MM-DD` of an instant in Asia/Shanghai. */
export const shanghaiDay = (iso: string | number | Date): string =>
  new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * A create form's fields (text, as typed) and its Idempotency-Key: one key per attempt at the same
 * form, so a retry is the same request and a changed field is a new one.
 */
export function useKeyedForm<F extends Record<string, string>>(initial: F) {
  const [form, setForm] = useState(initial);
  const [key, setKey] = useState(newIdempotencyKey);
  const set = (k: keyof F) => (v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    setKey(newIdempotencyKey());
  };
  return { form, setForm, set, key, renewKey: () => setKey(newIdempotencyKey()) };
}
