import type { z } from 'zod';
import { AppError, type FieldError, toProblem } from '../../functions/shared/errors.ts';

/** What the local HTTP server writes back: status, headers, body bytes. */
export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: Buffer;
}

const JSON_TYPE = 'application/json';
const PROBLEM_TYPE = 'application/problem+json';

/** A JSON reply. */
export const jsonReply = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': JSON_TYPE, ...headers },
  body: Buffer.from(JSON.stringify(body), 'utf8'),
});

/** An RFC 9457 problem+json reply, built by the same mapper the handlers use (API contract "errors"). */
export function problemReply(
  status: number,
  code: string,
  title: string,
  detail: string,
  instance: string,
  opts: { errors?: readonly FieldError[]; headers?: Record<string, string> } = {},
): Reply {
  const problem = toProblem(new AppError(status, code, title, detail, opts.errors), instance);
  return {
    status,
    headers: { 'content-type': PROBLEM_TYPE, ...(opts.headers ?? {}) },
    body: Buffer.from(JSON.stringify(problem), 'utf8'),
  };
}

/** zod issues as the contract's `errors: [{ path, message }]`, paths prefixed with `where` (`body`). */
export const zodErrors = (error: z.ZodError, where: string): FieldError[] =>
  error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message:
      issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
