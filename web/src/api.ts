import { currentConfig } from './config.ts';
import { session } from './session.ts';

/**
 * The consoles are clients of the documented HTTP API and nothing else (issue 7): every change goes
 * through it. Problems (RFC 9457) become `ApiProblem`s carrying the server's own message and the
 * fields to fix, which the forms show next to the inputs.
 */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string,
    readonly errors: readonly FieldProblem[] = [],
  ) {
    super(detail);
  }
}

export interface CallOptions {
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  readonly ifMatch?: string | number;
  readonly token?: string | null;
}

export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<T> {
  const token = opts.token === undefined ? session.value?.token : opts.token;
  let res: Response;
  try {
    res = await fetch(`${currentConfig().apiUrl}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
        ...(opts.ifMatch !== undefined ? { 'if-match': String(opts.ifMatch) } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
  } catch (e) {
    throw new ApiProblem(0, 'NETWORK', `The service cannot be reached (${(e as Error).message}).`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { detail: text };
  }
  if (!res.ok) {
    const p = body as {
      code?: string;
      detail?: string;
      title?: string;
      message?: string;
      errors?: FieldProblem[];
    };
    throw new ApiProblem(
      res.status,
      p.code,
      p.detail ?? p.title ?? p.message ?? `HTTP ${res.status}`,
      p.errors ?? [],
    );
  }
  return body as T;
}

export const get = <T = Record<string, unknown>>(path: string) => api<T>('GET', path);
export const post = <T = Record<string, unknown>>(
  path: string,
  body: unknown = {},
  opts: Omit<CallOptions, 'body'> = {},
) => api<T>('POST', path, { ...opts, body });
export const put = <T = Record<string, unknown>>(
  path: string,
  body: unknown,
  opts: Omit<CallOptions, 'body'> = {},
) => api<T>('PUT', path, { ...opts, body });
export const patch = <T = Record<string, unknown>>(
  path: string,
  body: unknown,
  opts: Omit<CallOptions, 'body'> = {},
) => api<T>('PATCH', path, { ...opts, body });

/** One page of a cursor-paged list as the API returns it (no totals). */
export interface PageOf<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

/**
 * Every page of a cursor-paged list, 100 a request, up to about `max` items (bounded: a console page
 * never needs more; exports are files, not lists).
 */
export async function allPages<T>(path: string, max = 500): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page = await get<PageOf<T>>(
      `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

/** A fresh Idempotency-Key for one user action (kept across its retries). */
export const newIdempotencyKey = (): string => crypto.randomUUID();

/**
 * Uploads a file straight to storage with the presigned POST form the API issued, reporting progress
 * (fetch has no upload progress; XMLHttpRequest does).
 */
export function uploadWithProgress(
  upload: { url: string; fields: Record<string, string> },
  file: Blob,
  fileName: string,
  onProgress: (fraction: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
    form.append('file', file, fileName);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', upload.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () =>
      xhr.status < 300 ? resolve() : reject(new ApiProblem(xhr.status, 'UPLOAD_FAILED', xhr.responseText));
    xhr.onerror = () => reject(new ApiProblem(0, 'UPLOAD_FAILED', 'The upload was interrupted.'));
    xhr.send(form);
  });
}

/** SHA-256 of a file, hex (the API checks the stored object against it). */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
