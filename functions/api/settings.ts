import type { z } from 'zod';
import { DynamoCalendarStore } from '../adapters/calendar-store.ts';
import { type CalendarDeps, getCalendarYear, putCalendarYear } from '../core/calendar.ts';
import { clock } from '../shared/clock.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { settingsRoutes } from './routes/settings.ts';
import type { CalendarYearParams, PutCalendarYearBody } from './schemas/calendar.ts';

/** Settings routes: the working-day calendar of public notices (Art. 8(4)). */
const deps: CalendarDeps = { calendar: new DynamoCalendarStore(), clock };

/** `year` arrives coerced to a number by the route's schema. */
type Params = Record<keyof z.infer<typeof CalendarYearParams>, string>;

export const handler = routeGroupHandler('settings', settingsRoutes, {
  getCalendarYear: async (req: AuthedRequest<Params>) => ({
    status: 200,
    body: await getCalendarYear(deps, Number(req.params.year)),
  }),
  putCalendarYear: async (
    req: AuthedRequest<Params, Record<string, never>, z.infer<typeof PutCalendarYearBody>>,
  ) => ({
    status: 200,
    body: await putCalendarYear(deps, req.principal, Number(req.params.year), req.body),
  }),
});
