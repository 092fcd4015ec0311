import { describe, expect, it } from 'vitest';
import {
  type Call,
  type CallInput,
  callAcceptsSubmissions,
  effectiveCallStatus,
  validateCallInput,
} from '../../functions/core/calls.ts';

const base: CallInput = {
  title: '2026年度市级人工智能赋能平台认定',
  description: 'Art. 7–9',
  opensAt: '2026-05-01T00:00:00+08:00',
  closesAt: '2026-06-01T00:00:00+08:00',
  requiredEvidence: [
    { kind: 'business-licence', title: '营业执照', required: true },
    { kind: 'partner_agreements', title: '合作协议', required: true },
  ],
  scoringCriteria: [
    { key: 'resources', title: '资源集聚', weight: 40, max: 100 },
    { key: 'services', title: '服务能力', weight: 60, max: 100 },
  ],
  noticePeriod: { length: 5, unit: 'working_days' },
};

const paths = (input: CallInput) => validateCallInput(input).map((e) => e.path);

describe('validateCallInput (Art. 8: a call states its conditions, materials and notice period)', () => {
  it('accepts a well-formed call', () => {
    expect(validateCallInput(base)).toEqual([]);
  });

  it.each([
    ['closesAt equal to opensAt', { closesAt: base.opensAt }, 'body.closesAt'],
    ['closesAt before opensAt', { closesAt: '2026-04-30T23:59:59+08:00' }, 'body.closesAt'],
    [
      'duplicate criterion key',
      { scoringCriteria: [...base.scoringCriteria, { key: 'resources', title: 'x', weight: 1, max: 1 }] },
      'body.scoringCriteria.2.key',
    ],
    [
      'weight 0',
      { scoringCriteria: [{ key: 'a', title: 'a', weight: 0, max: 10 }] },
      'body.scoringCriteria.0.weight',
    ],
    [
      'max 0',
      { scoringCriteria: [{ key: 'a', title: 'a', weight: 1, max: 0 }] },
      'body.scoringCriteria.0.max',
    ],
    ['no criteria', { scoringCriteria: [] }, 'body.scoringCriteria'],
    [
      'duplicate evidence kind',
      {
        requiredEvidence: [
          ...base.requiredEvidence,
          { kind: 'business-licence', title: 'x', required: false },
        ],
      },
      'body.requiredEvidence.2.kind',
    ],
    [
      'evidence kind not kebab/snake',
      { requiredEvidence: [{ kind: 'Business Licence', title: 'x', required: true }] },
      'body.requiredEvidence.0.kind',
    ],
    [
      'notice length 0',
      { noticePeriod: { length: 0, unit: 'working_days' as const } },
      'body.noticePeriod.length',
    ],
    [
      'notice length 31',
      { noticePeriod: { length: 31, unit: 'working_days' as const } },
      'body.noticePeriod.length',
    ],
  ])('refuses %s', (_what, patch, path) => {
    expect(paths({ ...base, ...patch } as CallInput)).toContain(path);
  });

  it.each([
    [1, 'working_days'],
    [30, 'calendar_days'],
  ] as const)('accepts notice length %i %s (boundaries)', (length, unit) => {
    expect(validateCallInput({ ...base, noticePeriod: { length, unit } })).toEqual([]);
  });

  it('accepts closesAt one millisecond after opensAt', () => {
    expect(validateCallInput({ ...base, closesAt: '2026-05-01T00:00:00.001+08:00' })).toEqual([]);
  });
});

const call = (status: Call['status']): Call => ({
  ...base,
  opensAt: '2026-04-30T16:00:00.000Z',
  closesAt: '2026-05-31T16:00:00.000Z',
  id: 'C1',
  status,
  createdBy: 'officer-1',
  createdAt: '2026-04-01T00:00:00.000Z',
  updatedAt: '2026-04-01T00:00:00.000Z',
  version: 2,
});
const closes = Date.parse('2026-05-31T16:00:00.000Z');
const opens = Date.parse('2026-04-30T16:00:00.000Z');

describe('callAcceptsSubmissions (Art. 8(1): decided by the instants, not by the job)', () => {
  it.each([
    ['opensAt − 1 s', opens - 1000, { ok: false, code: 'CALL_NOT_OPEN' }],
    ['opensAt', opens, { ok: true }],
    ['closesAt − 1 s', closes - 1000, { ok: true }],
    ['closesAt', closes, { ok: false, code: 'CALL_CLOSED' }],
    ['closesAt + 1 s', closes + 1000, { ok: false, code: 'CALL_CLOSED' }],
  ])('%s → %o', (_what, t, expected) => {
    // Stored status 'open' (the job ran) or 'scheduled' (it did not yet): the answer is the same.
    for (const stored of ['open', 'scheduled', 'closed'] as const) {
      expect(callAcceptsSubmissions(call(stored), new Date(t))).toMatchObject(expected);
    }
  });

  it('a draft never accepts submissions', () => {
    expect(callAcceptsSubmissions(call('draft'), new Date(opens + 1000))).toMatchObject({
      ok: false,
      code: 'CALL_NOT_OPEN',
    });
  });
});

describe('effectiveCallStatus', () => {
  it.each([
    [opens - 1, 'scheduled'],
    [opens, 'open'],
    [closes - 1, 'open'],
    [closes, 'closed'],
  ] as const)('at %i → %s', (t, expected) => {
    expect(effectiveCallStatus(call('scheduled'), new Date(t))).toBe(expected);
  });
});
