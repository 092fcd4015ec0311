import { AppError, NotFoundError } from '../shared/errors.ts';
import type { Principal } from '../shared/roles.ts';
import { shanghaiDate } from './calendar.ts';
import type { Clock } from './ports.ts';
import { isObserverOnly, observerAccess, type SharingRepo } from './sharing.ts';

/**
 * CSV exports (Art. 11 sharing with the bureaus; Art. 8(3) rankings, Art. 8(4)/14 registry, Art. 12
 * grades, Art. 13 revocation decisions) for staff and observers: UTF-8 with a BOM so spreadsheet
 * programs read Chinese text correctly, RFC 4180 quoting, CRLF line ends, and cells that a spreadsheet
 * would run as a formula (= + - @, tab, CR) prefixed with `'`. Sources are read in bounded pages of
 * their indexes (never a Scan), at most `MAX_EXPORT_ROWS` rows.
 */
export const BOM = '\uFEFF';
export const MAX_EXPORT_ROWS = 10_000;
export const EXPORT_PAGE = 100;

export type Cell = string | number | boolean | null | undefined | readonly (string | number)[];

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell as text: formula-injection safe, then quoted when it holds a comma, quote or line break. */
export function csvCell(value: Cell): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (Array.isArray(value)) text = value.join('; ');
  else text = String(value);
  if (typeof value === 'string' || Array.isArray(value)) {
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: BOM, header row, rows, CRLF after each record (RFC 4180). */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** A page source: `next(cursor)` → items and the next cursor. */
export type PageSource<T> = (cursor?: string) => Promise<{ items: readonly T[]; nextCursor?: string }>;

/** Reads every page up to `MAX_EXPORT_ROWS` (422 EXPORT_TOO_LARGE beyond: narrow the export). */
export async function collect<T>(source: PageSource<T>, max = MAX_EXPORT_ROWS): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await source(cursor);
    out.push(...page.items);
    if (out.length > max) {
      throw new AppError(
        422,
        'EXPORT_TOO_LARGE',
        'The export is too large',
        `This export has more than ${max} rows; narrow it (e.g. by year or call).`,
      );
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// What each export reads (small ports; the adapters wire the modules' stores)

export interface RankingRow {
  readonly rank: number;
  readonly applicationId: string;
  readonly orgName: string;
  readonly uscc: string;
  readonly averageScore: number;
  readonly status: string;
  readonly submittedAt?: string;
}

export interface RegistryRow {
  readonly id: string;
  readonly hostName: string;
  readonly uscc: string;
  readonly status: string;
  readonly capabilities: readonly string[];
  readonly targetTasks?: readonly string[];
  readonly recognisedAt: string;
  readonly validUntil: string;
  readonly revokedAt?: string;
  readonly endedAt?: string;
}

export interface GradeRow {
  readonly year: number;
  readonly platformId: string;
  readonly hostName: string;
  readonly status: string;
  readonly score?: number;
  readonly grade?: string;
  readonly overrideReason?: string;
  readonly publishedAt?: string;
}

export interface RevocationRow {
  readonly id: string;
  readonly platformId: string;
  readonly hostName: string;
  readonly ground: string;
  readonly status: string;
  readonly createdAt: string;
  readonly responseDeadline: string;
  readonly decision?: { readonly decision: string; readonly opinion: string; readonly at: string };
}

export interface ExportSources {
  /** The call's ranking (undefined: no such call). */
  ranking(callId: string): Promise<readonly RankingRow[] | undefined>;
  /** Platforms of one status, newest first, a page at a time. */
  platforms(status: 'active' | 'revoked' | 'expired'): PageSource<RegistryRow>;
  /** The evaluations of a year, a page at a time. */
  evaluations(year: number): PageSource<GradeRow>;
  /** Revocation cases, newest first, a page at a time. */
  revocations(): PageSource<RevocationRow>;
}

export interface ExportDeps {
  readonly sources: ExportSources;
  readonly sharing: Pick<SharingRepo, 'record'>;
  readonly clock: Clock;
  /** Art. 14: the policy end date in force — an active platform's `validUntil` in the registry export. */
  readonly policyEndDate: () => Promise<string>;
}

export const EXPORT_NAMES = ['ranking', 'registry', 'grades', 'revocations'] as const;
export type ExportName = (typeof EXPORT_NAMES)[number];

export interface CsvFile {
  readonly fileName: string;
  readonly csv: string;
  readonly rows: number;
}

const DECIDED = new Set(['revoked', 'dismissed']);

/** Builds one export; an observer's export is audited (`observer.accessed`, Art. 11). */
export async function exportCsv(
  deps: ExportDeps,
  principal: Principal,
  name: ExportName,
  query: { callId?: string; year?: number },
): Promise<CsvFile> {
  const now = deps.clock.now();
  const stamp = shanghaiDate(now);
  let file: CsvFile;
  switch (name) {
    case 'ranking': {
      const callId = query.callId as string;
      const rows = await deps.sources.ranking(callId);
      if (!rows) throw new NotFoundError('call', callId);
      file = {
        fileName: `ranking-${callId}-${stamp}.csv`,
        rows: rows.length,
        csv: toCsv(
          ['rank', 'applicationId', 'orgName', 'uscc', 'averageScore', 'status', 'submittedAt'],
          rows.map((r) => [
            r.rank,
            r.applicationId,
            r.orgName,
            r.uscc,
            r.averageScore,
            r.status,
            r.submittedAt,
          ]),
        ),
      };
      break;
    }
    case 'registry': {
      const rows: RegistryRow[] = [];
      // Art. 14: an active platform is valid until the policy end in force (extended or shortened since it
      // was recognised); a revoked or expired one shows the date written when its recognition ended.
      const policyEnd = await deps.policyEndDate();
      for (const status of ['active', 'revoked', 'expired'] as const) {
        const page = await collect(deps.sources.platforms(status), MAX_EXPORT_ROWS - rows.length);
        rows.push(...(status === 'active' ? page.map((p) => ({ ...p, validUntil: policyEnd })) : page));
      }
      file = {
        fileName: `registry-${stamp}.csv`,
        rows: rows.length,
        csv: toCsv(
          [
            'platformId',
            'hostName',
            'uscc',
            'status',
            'capabilities',
            'targetTasks',
            'recognisedAt',
            'validUntil',
            'revokedAt',
            'endedAt',
          ],
          rows.map((p) => [
            p.id,
            p.hostName,
            p.uscc,
            p.status,
            p.capabilities,
            p.targetTasks ?? [],
            p.recognisedAt,
            p.validUntil,
            p.revokedAt,
            p.endedAt,
          ]),
        ),
      };
      break;
    }
    case 'grades': {
      const year = query.year as number;
      const rows = await collect(deps.sources.evaluations(year));
      file = {
        fileName: `grades-${year}-${stamp}.csv`,
        rows: rows.length,
        csv: toCsv(
          ['year', 'platformId', 'hostName', 'status', 'score', 'grade', 'overrideReason', 'publishedAt'],
          // Art. 12: a grade counts once published (approver sign-off); before that only the status shows.
          rows.map((g) => {
            const published = g.publishedAt !== undefined;
            return [
              g.year,
              g.platformId,
              g.hostName,
              g.status,
              published ? g.score : undefined,
              published ? g.grade : undefined,
              published ? g.overrideReason : undefined,
              g.publishedAt,
            ];
          }),
        ),
      };
      break;
    }
    case 'revocations': {
      const all = await collect(deps.sources.revocations());
      // Observers see decisions (Art. 13); open cases stay with the office.
      const rows = isObserverOnly(principal) ? all.filter((r) => DECIDED.has(r.status)) : all;
      file = {
        fileName: `revocations-${stamp}.csv`,
        rows: rows.length,
        csv: toCsv(
          [
            'revocationId',
            'platformId',
            'hostName',
            'ground',
            'status',
            'openedAt',
            'responseDeadline',
            'decision',
            'opinion',
            'decidedAt',
          ],
          rows.map((r) => [
            r.id,
            r.platformId,
            r.hostName,
            r.ground,
            r.status,
            r.createdAt,
            r.responseDeadline,
            r.decision?.decision,
            r.decision?.opinion,
            r.decision?.at,
          ]),
        ),
      };
      break;
    }
  }
  if (isObserverOnly(principal)) {
    await deps.sharing.record(
      observerAccess(now, principal, `export:${name}`, 'export', name, { ...query, rows: file.rows }),
    );
  }
  return file;
}
