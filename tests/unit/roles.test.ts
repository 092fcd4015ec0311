import { describe, expect, it } from 'vitest';
import { parseGroupsClaim } from '../../functions/shared/roles.ts';

describe('parseGroupsClaim', () => {
  it.each([
    ['[officer approver]', ['officer', 'approver']],
    ['[officer]', ['officer']],
    ['[]', []],
    ['["applicant","expert"]', ['applicant', 'expert']],
    [
      ['observer', 'admin'],
      ['observer', 'admin'],
    ],
    ['officer', ['officer']],
    ['[officer superuser]', ['officer']],
    [undefined, []],
    [42, []],
    ['[officer officer]', ['officer']],
  ])('%j → %j', (claim, expected) => {
    expect(parseGroupsClaim(claim)).toEqual(expected);
  });
});
