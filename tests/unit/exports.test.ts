import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import {
  BOM,
  collect,
  csvCell,
  type ExportSources,
  exportCsv,
  type GradeRow,
  type RevocationRow,
  toCsv,
} from '../../functions/core/exports.ts';
import { fixedClock } from '../../functions/shared/clock.ts';

/** CSV exports (Art. 11): BOM, RFC 4180 quoting, formula-injection safety, bounded pages. */
describe('csvCell', () => {
  it.each([
    ['plain text', '中山示例科技有限公司', '中山示例科技有限公司'],
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a line break', 'a\nb', '"a\nb"'],
    ['a CR', 'a\rb', '"a\rb"'],
    ['a formula (=)', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['a leading +', '+86 760', "'+86 760"],
    ['a leading -', '-1+1', "'-1+1"],
    ['a leading @', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading tab', '\tx', "'\tx"],
    ['an inner =', 'a=b', 'a=b'],
    ['a negative number (typed)', -5, '-5'],
    ['a number', 92.5, '92.5'],
    ['undefined', undefined, ''],
    ['null', null, ''],
    ['a list', ['算力', '模型'], '算力; 模型'],
    ['a list starting with =', ['=1', 'b'], "'=1; b"],
  ])('%s', (_label, value, expected) => {
    expect(csvCell(value as never)).toBe(expected);
  });
});

describe('toCsv', () => {
  it('starts with the UTF-8 BOM, ends each record with CRLF, and round-trips Chinese text', () => {
    // Act
    const csv = toCsv(['名称', 'grade'], [['中山示例科技有限公司', 'excellent']]);
    const bytes = Buffer.from(csv, 'utf8');
    // Assess
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv).toBe(`${BOM}名称,grade\r\n中山示例科技有限公司,excellent\r\n`);
    expect(bytes.subarray(3).toString('utf8').split('\r\n')[1]).toBe('中山示例科技有限公司,excellent');
  });
});

describe('collect', () => {
  const pages = (n: number, size: number) => async (cursor?: string) => {
    const i = Number(cursor ?? 0);
    return {
      items: Array.from({ length: size }, (_, k) => i * size + k),
      ...(i + 1 < n ? { nextCursor: String(i + 1) } : {}),
    };
  };
  it.each([
    [3, 10, 30, 30],
    [3, 10, 29, 'EXPORT_TOO_LARGE'],
    [1, 0, 0, 0],
  ])('%i pages of %i with max %i → %s', async (n, size, max, expected) => {
    const run = collect(pages(n, size), max);
    if (typeof expected === 'number') expect(await run).toHaveLength(expected);
    else await expect(run).rejects.toMatchObject({ code: expected, status: 422 });
  });
});

describe('exportCsv', () => {
  const grades: GradeRow[] = [
    {
      year: 2026,
      platformId: 'p1',
      hostName: '甲',
      status: 'published',
      score: 91,
      grade: 'excellent',
      publishedAt: '2027-03-01T00:00:00.000Z',
    },
    { year: 2026, platformId: 'p2', hostName: '乙', status: 'graded', score: 50, grade: 'unqualified' },
  ];
  const revocations: RevocationRow[] = [
    {
      id: 'r1',
      platformId: 'p2',
      hostName: '乙',
      ground: 'overdue_report',
      status: 'revoked',
      createdAt: 'c',
      responseDeadline: 'd',
      decision: { decision: 'revoke', opinion: '=cmd', at: 'a' },
    },
    {
      id: 'r2',
      platformId: 'p3',
      hostName: '丙',
      ground: 'other',
      status: 'awaiting_response',
      createdAt: 'c',
      responseDeadline: 'd',
    },
  ];
  const sources: ExportSources = {
    ranking: async (callId) =>
      callId === 'c1'
        ? [
            {
              rank: 1,
              applicationId: 'a1',
              orgName: '甲',
              uscc: 'U',
              averageScore: 88.5,
              status: 'recognised',
            },
          ]
        : undefined,
    platforms: (status) => async () => ({
      items:
        status === 'active'
          ? [
              {
                id: 'pa',
                hostName: '甲',
                uscc: 'U1',
                status,
                capabilities: [],
                recognisedAt: '2026-01-01T00:00:00.000Z',
                validUntil: '2027-12-31',
              },
            ]
          : status === 'expired'
            ? [
                {
                  id: 'pe',
                  hostName: '乙',
                  uscc: 'U2',
                  status,
                  capabilities: [],
                  recognisedAt: '2026-01-01T00:00:00.000Z',
                  validUntil: '2027-06-30',
                  endedAt: '2027-06-30T15:59:59.999Z',
                },
              ]
            : [],
    }),
    evaluations: () => async () => ({ items: grades }),
    revocations: () => async () => ({ items: revocations }),
  };
  const setup = () => {
    const audit: AuditEvent[] = [];
    const deps = {
      sources,
      sharing: { record: async (a: AuditEvent) => void audit.push(a) },
      clock: fixedClock('2027-03-02T00:00:00Z'),
      policyEndDate: async () => '2029-12-31',
    };
    return { audit, deps };
  };

  it('gives an active platform the policy end in force as validUntil, an ended one its end date (Art. 14)', async () => {
    const { deps } = setup();
    const file = await exportCsv(deps, { sub: 'o', roles: ['officer'] }, 'registry', {});
    const lines = file.csv.slice(1).split('\r\n');
    expect(lines[1]).toBe('pa,甲,U1,active,,,2026-01-01T00:00:00.000Z,2029-12-31,,');
    expect(lines[2]).toBe('pe,乙,U2,expired,,,2026-01-01T00:00:00.000Z,2027-06-30,,2027-06-30T15:59:59.999Z');
  });

  it('shows score and grade only once published (Art. 12)', async () => {
    const { deps } = setup();
    const file = await exportCsv(deps, { sub: 'o', roles: ['officer'] }, 'grades', { year: 2026 });
    const lines = file.csv.slice(1).split('\r\n');
    expect(lines[1]).toBe('2026,p1,甲,published,91,excellent,,2027-03-01T00:00:00.000Z');
    expect(lines[2]).toBe('2026,p2,乙,graded,,,,');
    expect(file.fileName).toBe('grades-2026-2027-03-02.csv');
  });

  it('gives observers decided revocations only and audits their export; staff see all, unaudited', async () => {
    const { deps, audit } = setup();
    const observed = await exportCsv(deps, { sub: 'obs', roles: ['observer'] }, 'revocations', {});
    const staff = await exportCsv(deps, { sub: 'o', roles: ['officer'] }, 'revocations', {});
    expect(observed.rows).toBe(1);
    expect(observed.csv).toContain("'=cmd");
    expect(staff.rows).toBe(2);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'observer.accessed',
      actor: { sub: 'obs' },
      detail: { route: 'export:revocations', rows: 1 },
    });
  });

  it('404 for the ranking of an unknown call', async () => {
    const { deps } = setup();
    await expect(
      exportCsv(deps, { sub: 'o', roles: ['officer'] }, 'ranking', { callId: 'nope' }),
    ).rejects.toMatchObject({ status: 404 });
    const ok = await exportCsv(deps, { sub: 'o', roles: ['officer'] }, 'ranking', { callId: 'c1' });
    expect(ok.csv.split('\r\n')[1]).toBe('1,a1,甲,U,88.5,recognised,');
  });
});
