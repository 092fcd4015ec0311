import '../support/quiet-logs.ts';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  StaleVersionError,
  toProblem,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
} from '../../functions/shared/errors.ts';
import { errorToResult, isServiceUnavailable } from '../../functions/shared/http.ts';

describe('toProblem', () => {
  it.each([
    [new ValidationError('bad', [{ path: 'body.x', message: 'required' }]), 400, 'VALIDATION_FAILED'],
    [new UnauthorizedError(), 401, 'UNAUTHORIZED'],
    [new ForbiddenError('no'), 403, 'FORBIDDEN'],
    [new NotFoundError('organisation', 'x'), 404, 'NOT_FOUND'],
    [new ConflictError('USCC_ALREADY_REGISTERED', 'dup'), 409, 'USCC_ALREADY_REGISTERED'],
    [new StaleVersionError('Organisation 1'), 409, 'STALE_VERSION'],
    [new PayloadTooLargeError('big'), 413, 'PAYLOAD_TOO_LARGE'],
    [new UnprocessableError('EVIDENCE_MISMATCH', 'no'), 422, 'EVIDENCE_MISMATCH'],
    [new ServiceUnavailableError(), 503, 'SERVICE_UNAVAILABLE'],
  ])('%o → %i %s', (error, status, code) => {
    const problem = toProblem(error, '/x');
    expect(problem).toMatchObject({ status, code, instance: '/x', detail: error.message });
    expect(problem.type).toMatch(/^https:\/\/.+\/problems\/[a-z-]+$/);
    expect(problem.title.length).toBeGreaterThan(0);
  });

  it('keeps field errors and never leaks an unknown error’s message', () => {
    expect(toProblem(new ValidationError('bad', [{ path: 'body.x', message: 'required' }])).errors).toEqual([
      { path: 'body.x', message: 'required' },
    ]);
    const unknown = toProblem(new Error('secret stack detail'));
    expect(unknown).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(JSON.stringify(unknown)).not.toContain('secret');
  });
});

describe('AWS errors', () => {
  it.each([
    [{ name: 'ProvisionedThroughputExceededException' }, true],
    [{ name: 'ThrottlingException' }, true],
    [Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), true],
    [Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}), true],
    [{ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }, true],
    [{ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } }, false],
    [new Error('bug'), false],
  ])('%o is unavailable: %s', (error, expected) => {
    expect(isServiceUnavailable(error)).toBe(expected);
  });

  it('connectivity errors become 503 problem+json with Retry-After; bugs become 500', () => {
    const unavailable = errorToResult(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), '/health');
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'retry-after': '1',
    });
    expect(errorToResult(new TypeError('oops')).statusCode).toBe(500);
  });
});
