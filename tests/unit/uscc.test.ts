import { describe, expect, it } from 'vitest';
import {
  checkUscc,
  USCC_CHARSET,
  USCC_WEIGHTS,
  usccCheckChar,
  withCheckChar,
} from '../../functions/core/uscc.ts';

describe('GB 32100-2015 constants', () => {
  it('weights are 3^(i-1) mod 31 as the appendix lists them', () => {
    expect(USCC_WEIGHTS).toEqual([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);
  });
  it('the charset has 31 characters and no I, O, S, V, Z', () => {
    expect(USCC_CHARSET).toHaveLength(31);
    expect(USCC_CHARSET).not.toMatch(/[IOSVZ]/);
  });
  it('the worked example: 91350100M000100Y4 → check character 3', () => {
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
  });
});

describe('checkUscc', () => {
  it.each([
    ['91350100M000100Y43', { valid: true, checkDigitOk: true, regionCode: '350100', inZhongshan: false }],
    // Genuine early codes that fail the check character: accepted for manual verification
    ['91350100M0001TGQXM', { valid: true, checkDigitOk: false, regionCode: '350100', inZhongshan: false }],
    ['91350211M0000XUF46', { valid: true, checkDigitOk: false, regionCode: '350211', inZhongshan: false }],
    [
      withCheckChar('91442000MA4UQ2B37'),
      { valid: true, checkDigitOk: true, regionCode: '442000', inZhongshan: true },
    ],
    [
      withCheckChar('92442000MA4UQ2B37'),
      { valid: true, checkDigitOk: true, inZhongshan: true, entityType: 'individual_business' },
    ],
    [
      withCheckChar('91441900MA4UQ2B37'),
      { valid: true, checkDigitOk: true, regionCode: '441900', inZhongshan: false },
    ],
    [
      withCheckChar('91440000MA4UQ2B37'),
      { valid: true, checkDigitOk: true, regionCode: '440000', inZhongshan: false },
    ],
    [
      withCheckChar('91440100MA4UQ2B37'),
      { valid: true, checkDigitOk: true, regionCode: '440100', inZhongshan: false },
    ],
  ])('%s → %o', (code, expected) => {
    expect(checkUscc(code)).toMatchObject(expected);
  });

  it('an enterprise registered in Zhongshan with a correct check character has no problems', () => {
    const result = checkUscc(withCheckChar('91442000MA4UQ2B37'));
    expect(result).toEqual({
      valid: true,
      checkDigitOk: true,
      expectedCheckChar: withCheckChar('91442000MA4UQ2B37').slice(-1),
      regionCode: '442000',
      inZhongshan: true,
      entityType: 'enterprise',
      problems: [],
    });
  });

  it('lowercase input is normalised', () => {
    expect(checkUscc('91350100m000100y43')).toMatchObject({ valid: true, checkDigitOk: true });
  });

  it('a failed check character says which character was expected', () => {
    const result = checkUscc('91350100M000100Y44');
    expect(result).toMatchObject({ valid: true, checkDigitOk: false, expectedCheckChar: '3' });
    expect(result.problems.join()).toMatch(/call for '3'/);
  });

  it.each(Array.from({ length: 17 }, (_, i) => i))(
    'changing character %i breaks the check character',
    (i) => {
      const good = withCheckChar('91442000MA4UQ2B37');
      const replacement = good[i] === '8' ? '7' : '8';
      const changed = good.slice(0, i) + replacement + good.slice(i + 1);
      expect(checkUscc(changed).checkDigitOk).toBe(false);
    },
  );

  it.each(['I', 'O', 'S', 'V', 'Z'])('rejects the letter %s (not in the charset)', (letter) => {
    const result = checkUscc(`91442000MA4UQ2B3${letter}X`);
    expect(result.valid).toBe(false);
    expect(result.problems.join()).toMatch(new RegExp(`'${letter}' at position 17`));
  });

  it.each([
    ['', 0],
    ['91442000MA4UQ2B3', 16],
    ['91442000MA4UQ2B37', 17],
    ['91442000MA4UQ2B37XY', 19],
  ])('length: %j (%i characters) is invalid', (code, length) => {
    const result = checkUscc(code);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      `a unified social credit code has exactly 18 characters; this one has ${length}`,
    ]);
  });

  it('surrounding whitespace is trimmed before the length check', () => {
    expect(checkUscc('  91350100M000100Y43 ').valid).toBe(true);
  });

  it.each([
    ['an unknown department', withCheckChar('B1442000MA4UQ2B37'), /not a registration department/],
    ['an unknown category', withCheckChar('95442000MA4UQ2B37'), /not an organisation category/],
    ['letters in the region', withCheckChar('9144A000MA4UQ2B37'), /6-digit administrative division/],
    ['an unknown province', withCheckChar('91992000MA4UQ2B37'), /not a known administrative division/],
  ])('structure: %s is invalid', (_label, code, message) => {
    const result = checkUscc(code);
    expect(result.valid).toBe(false);
    expect(result.inZhongshan).toBe(false);
    expect(result.problems.join()).toMatch(message);
  });
});
