import { DynamoExportSources } from '../adapters/export-sources.ts';
import { policyEndDate } from '../adapters/settings-store.ts';
import { DynamoSharingStore } from '../adapters/sharing-store.ts';
import { type ExportDeps, type ExportName, exportCsv } from '../core/exports.ts';
import { clock } from '../shared/clock.ts';
import { type ApiResponse, type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { exportsRoutes } from './routes/exports.ts';

/** CSV exports (Art. 11): rankings, the registry, grades, revocation decisions. */
const deps: ExportDeps = {
  sources: new DynamoExportSources(),
  sharing: new DynamoSharingStore(),
  clock,
  policyEndDate: () => policyEndDate(),
};

type Q = { callId?: string; year?: number };

const csvOf =
  (name: ExportName) =>
  async (req: AuthedRequest<Record<string, never>, Q>): Promise<ApiResponse> => {
    const file = await exportCsv(deps, req.principal, name, req.query);
    return {
      status: 200,
      text: file.csv,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${file.fileName}"`,
        'cache-control': 'no-store',
      },
    };
  };

export const handler = routeGroupHandler('exports', exportsRoutes, {
  exportRanking: csvOf('ranking'),
  exportRegistry: csvOf('registry'),
  exportGrades: csvOf('grades'),
  exportRevocations: csvOf('revocations'),
});
