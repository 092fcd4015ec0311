import { createHash } from 'node:crypto';

/**
 * A small HTTP client for the demo scripts that drive the RUNNING local system (`npm start`): JSON in
 * and out, bearer tokens from `/dev/token`, the business clock (`/dev/clock`), the deadline job
 * (`/dev/jobs/deadlines/run`) and evidence uploads through the presigned POST form. Any status other
 * than the expected ones stops the demo with the problem body.
 */
export type Json = Record<string, unknown>;

export class DemoStepError extends Error {}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Statuses this step expects; anything else stops the demo. */
  readonly expect?: readonly number[];
  readonly idempotencyKey?: string;
}

export class DemoClient {
  readonly api: string;

  constructor(apiUrl: string) {
    this.api = apiUrl.replace(/\/$/, '');
  }

  async http<T = Json>(
    method: string,
    path: string,
    opts: CallOptions = {},
  ): Promise<{ status: number; body: T }> {
    let res: Response;
    try {
      res = await fetch(`${this.api}${path}`, {
        method,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
    } catch (e) {
      throw new DemoStepError(
        `Cannot reach ${this.api} (${(e as Error).message}). Start the system first: npm start (or set API_URL).`,
      );
    }
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { raw: text };
    }
    const expected = opts.expect ?? [200, 201, 204];
    if (!expected.includes(res.status)) {
      throw new DemoStepError(
        `${method} ${path} answered ${res.status} (expected ${expected.join(' or ')}):\n${JSON.stringify(body, null, 2)}`,
      );
    }
    return { status: res.status, body: body as T };
  }

  get<T = Json>(path: string, token?: string, expect?: readonly number[]) {
    return this.http<T>('GET', path, { ...(token ? { token } : {}), ...(expect ? { expect } : {}) });
  }

  post<T = Json>(path: string, body: unknown, token?: string, expect?: readonly number[]) {
    return this.http<T>('POST', path, { body, ...(token ? { token } : {}), ...(expect ? { expect } : {}) });
  }

  put<T = Json>(path: string, body: unknown, token?: string, expect?: readonly number[]) {
    return this.http<T>('PUT', path, { body, ...(token ? { token } : {}), ...(expect ? { expect } : {}) });
  }

  async token(sub: string, groups: string[], email?: string): Promise<string> {
    const res = await this.post<{ token: string }>('/dev/token', {
      sub,
      groups,
      ...(email ? { email } : {}),
    });
    return res.body.token;
  }

  async clockNow(): Promise<Date> {
    return new Date((await this.get<{ now: string }>('/dev/clock')).body.now);
  }

  async setClock(now: Date): Promise<void> {
    await this.post('/dev/clock', { now: now.toISOString(), mode: 'offset' });
  }

  async resetClock(): Promise<void> {
    await this.http('DELETE', '/dev/clock', { expect: [200, 204] });
  }

  async runDeadlineJob(): Promise<Json> {
    return (await this.post<Json>('/dev/jobs/deadlines/run', {})).body;
  }

  /**
   * Declares one evidence file at `declarePath` (e.g. `/v1/platforms/{id}/evidence`), uploads it with
   * the presigned POST form and confirms it at `${declarePath}/{evidenceId}/confirm`. Returns its id.
   */
  async uploadEvidence(
    declarePath: string,
    token: string,
    file: { kind: string; fileName: string; bytes: Buffer; contentType?: string },
  ): Promise<{ evidenceId: string; status: string; sha256: string }> {
    const contentType = file.contentType ?? 'application/pdf';
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    const created = await this.post<{
      evidenceId: string;
      upload: { url: string; fields: Record<string, string> };
    }>(
      declarePath,
      { kind: file.kind, fileName: file.fileName, contentType, sizeBytes: file.bytes.length, sha256 },
      token,
    );
    const form = new FormData();
    for (const [k, v] of Object.entries(created.body.upload.fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(file.bytes)], { type: contentType }), file.fileName);
    const uploaded = await fetch(created.body.upload.url, { method: 'POST', body: form });
    if (uploaded.status >= 300) {
      throw new DemoStepError(`upload of ${file.fileName} → ${uploaded.status}: ${await uploaded.text()}`);
    }
    const confirmed = await this.post<{ status: string }>(
      `${declarePath}/${created.body.evidenceId}/confirm`,
      {},
      token,
    );
    return { evidenceId: created.body.evidenceId, status: confirmed.body.status, sha256 };
  }
}
