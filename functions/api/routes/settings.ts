import type { RouteDef } from '../route-types.ts';
import { CalendarYearParams, CalendarYearSchema, PutCalendarYearBody } from '../schemas/calendar.ts';

/** Settings: the working-day calendar of public notices (Art. 8(4)). */
export const settingsRoutes: readonly RouteDef[] = [
  {
    id: 'getCalendarYear',
    method: 'GET',
    path: '/v1/calendar/{year}',
    group: 'settings',
    auth: ['officer', 'approver', 'admin'],
    summary:
      'The working-day calendar of a year as applied (State Council holidays and make-up workdays from the dataset, with admin overrides), and warnings when the current or coming year is missing.',
    tags: ['settings'],
    request: { params: CalendarYearParams },
    responses: { 200: { description: 'The year', schema: CalendarYearSchema } },
  },
  {
    id: 'putCalendarYear',
    method: 'PUT',
    path: '/v1/calendar/{year}',
    group: 'settings',
    auth: ['admin'],
    summary:
      'Override a year: holidays and make-up workdays (complete: true for a year the dataset lacks). Audited; `version` guards concurrent edits (409 STALE_VERSION).',
    tags: ['settings'],
    request: { params: CalendarYearParams, body: PutCalendarYearBody },
    responses: { 200: { description: 'Stored', schema: CalendarYearSchema } },
  },
];
