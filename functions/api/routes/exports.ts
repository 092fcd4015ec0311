import type { RouteDef } from '../route-types.ts';
import { CsvSchema, GradesExportQuery, NoQuery, RankingExportQuery } from '../schemas/exports.ts';

const WHO = ['officer', 'approver', 'admin', 'observer'] as const;
const tags = ['exports'];
const csv = { 200: { description: 'The CSV file (attachment)', schema: CsvSchema } };

/** CSV exports for staff and observers (Art. 11; observer exports are audited). */
export const exportsRoutes: readonly RouteDef[] = [
  {
    id: 'exportRanking',
    method: 'GET',
    path: '/v1/exports/ranking.csv',
    group: 'exports',
    auth: WHO,
    summary: 'Art. 8(3): a call’s merit ranking as CSV (UTF-8 with BOM).',
    tags,
    request: { query: RankingExportQuery },
    responses: csv,
  },
  {
    id: 'exportRegistry',
    method: 'GET',
    path: '/v1/exports/registry.csv',
    group: 'exports',
    auth: WHO,
    summary: 'The registry of platforms — active, revoked and expired — as CSV (UTF-8 with BOM).',
    tags,
    request: { query: NoQuery },
    responses: csv,
  },
  {
    id: 'exportGrades',
    method: 'GET',
    path: '/v1/exports/grades.csv',
    group: 'exports',
    auth: WHO,
    summary: 'Art. 12: a year’s evaluations as CSV (UTF-8 with BOM); score and grade only once published.',
    tags,
    request: { query: GradesExportQuery },
    responses: csv,
  },
  {
    id: 'exportRevocations',
    method: 'GET',
    path: '/v1/exports/revocations.csv',
    group: 'exports',
    auth: WHO,
    summary:
      'Art. 13: revocation cases as CSV (UTF-8 with BOM); observers see decided cases (revoked, dismissed) only.',
    tags,
    request: { query: NoQuery },
    responses: csv,
  },
];
