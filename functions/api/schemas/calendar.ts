import * as z from 'zod';
import { CalendarDate, Instant } from './common.ts';

export const CalendarYearParams = z.object({
  year: z.coerce.number().int().min(2000, 'a year from 2000 to 2100').max(2100, 'a year from 2000 to 2100'),
});

export const PutCalendarYearBody = z
  .object({
    holidays: z.array(CalendarDate).max(366).describe('public holidays (any weekday)'),
    workdays: z.array(CalendarDate).max(366).describe('weekend days that are make-up workdays (调休)'),
    complete: z
      .boolean()
      .optional()
      .describe('true: these lists are the whole year (the dataset is ignored for it)'),
    version: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('the version read (optimistic locking); 0 = the year had no override when read'),
  })
  .strict()
  .meta({ id: 'PutCalendarYear' });

export const CalendarWarningSchema = z.object({
  code: z.literal('CALENDAR_YEAR_MISSING'),
  year: z.number().int(),
  message: z.string(),
});

export const CalendarYearSchema = z
  .object({
    year: z.number().int(),
    source: z.enum(['dataset', 'override', 'dataset+override', 'weekends-only']),
    covered: z.boolean(),
    holidays: z.array(CalendarDate),
    workdays: z.array(CalendarDate),
    override: z
      .object({
        holidays: z.array(CalendarDate),
        workdays: z.array(CalendarDate),
        complete: z.boolean().optional(),
        updatedAt: Instant.optional(),
        updatedBy: z.string().optional(),
        version: z.number().int().optional(),
      })
      .optional(),
    warnings: z.array(CalendarWarningSchema),
  })
  .meta({ id: 'CalendarYear' });
