import * as z from 'zod';
import { IdParam } from './common.ts';

/** CSV exports (Art. 11): query parameters per export. */
export const RankingExportQuery = z.object({ callId: IdParam }).strict();
export const GradesExportQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100) }).strict();
export const NoQuery = z.object({}).strict();

export const CsvSchema = z
  .string()
  .describe(
    'text/csv; charset=utf-8 with a UTF-8 BOM, RFC 4180 quoting, CRLF line ends; cells starting with = + - @ are prefixed with an apostrophe',
  );
