/**
 * The unified social credit code (统一社会信用代码), GB 32100-2015 — see the appendix of MEASURES.md.
 *
 * 18 characters: registration department (1) + organisation category (1) + administrative division of
 * the registering authority (6 digits, GB/T 2260) + organisation code (9, GB 11714) + check character (1).
 * Used for Art. 3 / Art. 9(1): "a company legally established in Zhongshan" is screened by the region digits.
 */

/** The 31 characters of the code, values 0–30 in this order (no I, O, S, V, Z). */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Weights of positions 1–17: 3^(i−1) mod 31. */
export const USCC_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k += 1) w = (w * 3) % 31;
  return w;
});

/** Zhongshan's administrative division code (a prefecture-level city without counties). */
export const ZHONGSHAN_DIVISION = '442000';

/** Registration departments and their organisation categories (GB 32100-2015, table 1), with an entity type. */
const DEPARTMENTS: Readonly<Record<string, { name: string; categories: Readonly<Record<string, string>> }>> =
  {
    '1': {
      name: 'institutional establishment',
      categories: { '1': 'state_organ', '2': 'public_institution', '3': 'mass_organisation', '9': 'other' },
    },
    '2': { name: 'foreign affairs', categories: { '1': 'foreign_news_agency', '9': 'other' } },
    '3': {
      name: 'justice',
      categories: {
        '1': 'law_firm',
        '2': 'notary_office',
        '3': 'legal_service_office',
        '4': 'forensic_institution',
        '5': 'arbitration_commission',
        '9': 'other',
      },
    },
    '4': { name: 'culture', categories: { '1': 'foreign_cultural_centre', '9': 'other' } },
    '5': {
      name: 'civil affairs',
      categories: {
        '1': 'social_organisation',
        '2': 'private_non_enterprise',
        '3': 'foundation',
        '9': 'other',
      },
    },
    '6': {
      name: 'tourism',
      categories: { '1': 'foreign_tourism_office', '2': 'hk_macao_taiwan_tourism_office', '9': 'other' },
    },
    '7': { name: 'religion', categories: { '1': 'religious_venue', '2': 'religious_school', '9': 'other' } },
    '8': { name: 'trade union', categories: { '1': 'trade_union', '9': 'other' } },
    '9': {
      name: 'market regulation',
      categories: { '1': 'enterprise', '2': 'individual_business', '3': 'farmers_cooperative' },
    },
    A: { name: 'military establishment', categories: { '1': 'military_public_institution', '9': 'other' } },
    N: {
      name: 'agriculture',
      categories: {
        '1': 'group_collective_economic_organisation',
        '2': 'village_collective_economic_organisation',
        '3': 'township_collective_economic_organisation',
        '9': 'other',
      },
    },
    Y: { name: 'other', categories: { '1': 'other' } },
  };

/** First two digits of GB/T 2260 division codes (provinces; 10 = national-level registration). */
const PROVINCES = new Set([
  '10',
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
]);

export interface UsccCheck {
  /** Charset and structure are valid; the check character may still fail. */
  valid: boolean;
  checkDigitOk: boolean;
  /** The check character the first 17 characters call for (when they are in the charset). */
  expectedCheckChar?: string;
  /** Administrative division of the registering authority (positions 3–8). */
  regionCode: string;
  /** Registered in Zhongshan (division 4420xx). */
  inZhongshan: boolean;
  /** From the department and category characters, e.g. `enterprise`; `unknown` when not decodable. */
  entityType: string;
  /** Human-readable findings, empty when everything checks out. */
  problems: string[];
}

/** Normalises user input: trims and upper-cases (lowercase letters are accepted). */
export const normaliseUscc = (raw: string): string => raw.trim().toUpperCase();

/**
 * The check character for the first 17 characters (GB 32100-2015 §5): C = 31 − (Σ value·weight mod 31),
 * 31 → 0. Returns `undefined` if any character is outside the charset.
 */
export function usccCheckChar(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const value = USCC_CHARSET.indexOf(first17.charAt(i));
    if (value < 0) return undefined;
    sum += value * (USCC_WEIGHTS[i] ?? 0);
  }
  const c = (31 - (sum % 31)) % 31;
  return USCC_CHARSET.charAt(c);
}

/**
 * Art. 9(1) + GB 32100-2015: checks a unified social credit code. Wrong length, characters outside the
 * charset, an unknown department/category or a non-numeric/unknown region make it `valid:false`.
 * A failed check character does NOT: some genuine early codes fail it, so the result is
 * `valid:true, checkDigitOk:false` and the organisation is verified manually.
 */
export function checkUscc(raw: string): UsccCheck {
  const code = normaliseUscc(raw);
  const problems: string[] = [];
  const regionCode = code.slice(2, 8);
  const base: UsccCheck = {
    valid: false,
    checkDigitOk: false,
    regionCode,
    inZhongshan: false,
    entityType: 'unknown',
    problems,
  };
  if (code.length !== 18) {
    problems.push(`a unified social credit code has exactly 18 characters; this one has ${code.length}`);
    return base;
  }
  const bad = [...code].flatMap((ch, i) =>
    USCC_CHARSET.includes(ch) ? [] : [`'${ch}' at position ${i + 1}`],
  );
  if (bad.length) {
    problems.push(
      `characters outside the code's charset (0-9 and A-Z without I, O, S, V, Z): ${bad.join(', ')}`,
    );
    return base;
  }
  let structureOk = true;
  const dept = DEPARTMENTS[code.charAt(0)];
  const entityType = dept?.categories[code.charAt(1)];
  if (!dept) {
    structureOk = false;
    problems.push(`'${code.charAt(0)}' (position 1) is not a registration department code`);
  } else if (!entityType) {
    structureOk = false;
    problems.push(
      `'${code.charAt(1)}' (position 2) is not an organisation category of department '${code.charAt(0)}' (${dept.name})`,
    );
  }
  if (!/^[0-9]{6}$/.test(regionCode)) {
    structureOk = false;
    problems.push(`positions 3-8 must be a 6-digit administrative division code; got '${regionCode}'`);
  } else if (!PROVINCES.has(regionCode.slice(0, 2))) {
    structureOk = false;
    problems.push(`'${regionCode}' (positions 3-8) is not a known administrative division`);
  }
  const expected = usccCheckChar(code.slice(0, 17));
  const checkDigitOk = expected === code.charAt(17);
  if (!checkDigitOk) {
    problems.push(
      `check character is '${code.charAt(17)}' but the first 17 characters call for '${expected}': verify manually`,
    );
  }
  const inZhongshan = structureOk && regionCode.startsWith(ZHONGSHAN_DIVISION.slice(0, 4));
  if (structureOk && !inZhongshan) {
    problems.push(`registered in division ${regionCode}, outside Zhongshan (${ZHONGSHAN_DIVISION})`);
  }
  return {
    valid: structureOk,
    checkDigitOk,
    ...(expected ? { expectedCheckChar: expected } : {}),
    regionCode,
    inZhongshan,
    entityType: entityType ?? 'unknown',
    problems,
  };
}

/** Builds a well-formed code from its first 17 characters (appends the check character). Tests and fixtures. */
export function withCheckChar(first17: string): string {
  const c = usccCheckChar(normaliseUscc(first17));
  if (!c) throw new Error(`not 17 characters of the USCC charset: ${first17}`);
  return normaliseUscc(first17) + c;
}
