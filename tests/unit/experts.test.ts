import { describe, expect, it } from 'vitest';
import { conflictsOf } from '../../functions/core/experts.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';

/** Art. 8(3), 9(2): an expert may not review the applicant, a consortium member or a partner of their employer. */
const applicant = withCheckChar('91442000MA4UQ0001');
const member = withCheckChar('91442000MA4UQ0002');
const partner = withCheckChar('12442000MB0000003');
const stranger = withCheckChar('91440300MA5F00004');

const app = {
  uscc: applicant,
  orgName: '中山智算科技有限公司',
  consortium: [
    { name: '中山大学', kind: 'university' as const },
    { name: '联合体成员', uscc: member, kind: 'company' as const },
  ],
  partners: [{ name: '合作机构', uscc: partner, kind: 'research_institute' as const }],
};
const expert = (employerUscc: string) => ({ id: 'x1', name: '王专家', employerUscc });

describe('conflictsOf', () => {
  it.each([
    ['the applicant', applicant, 'applicant', '中山智算科技有限公司'],
    ['a consortium member', member, 'consortium_member', '联合体成员'],
    ['a partner institution', partner, 'partner', '合作机构'],
    [
      'the applicant, written in lower case with spaces',
      ` ${applicant.toLowerCase()} `,
      'applicant',
      '中山智算科技有限公司',
    ],
  ])('an employer that is %s is a conflict naming the party', (_label, uscc, party, partyName) => {
    expect(conflictsOf(expert(uscc), app)).toEqual([
      { expertId: 'x1', expertName: '王专家', party, partyName, uscc: uscc.trim().toUpperCase() },
    ]);
  });

  it('an unrelated employer, or a member without a code, is no conflict', () => {
    expect(conflictsOf(expert(stranger), app)).toEqual([]);
  });

  it('every party the employer appears as is named', () => {
    const both = {
      ...app,
      partners: [...app.partners, { name: '同一单位', uscc: member, kind: 'company' as const }],
    };
    expect(conflictsOf(expert(member), both).map((c) => c.party)).toEqual(['consortium_member', 'partner']);
  });
});
