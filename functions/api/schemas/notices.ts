import * as z from 'zod';
import { OBJECTOR_TYPES } from '../../core/notices.ts';
import { NOTICE_STATUSES, OBJECTION_STATUSES } from '../../core/recognition-model.ts';
import { CalendarWarningSchema } from './calendar.ts';
import { CalendarDate, IdParam, Instant, PageQuery } from './common.ts';

export const NoticeIdParams = z.object({ noticeId: IdParam });
export const ObjectionIdParams = z.object({ objectionId: IdParam });

const NoticeEntrySchema = z.object({
  applicationId: z.string(),
  orgName: z.string(),
  platformSummary: z.string(),
});

export const PublicNoticeSchema = z
  .object({
    id: z.string(),
    callId: z.string(),
    title: z.string(),
    entries: z.array(NoticeEntrySchema),
    startsAt: Instant,
    endsAt: Instant.describe('23:59:59.999 Asia/Shanghai of the last day'),
    firstDay: CalendarDate,
    lastDay: CalendarDate,
    length: z.number().int(),
    unit: z.enum(['working_days', 'calendar_days']),
    status: z.enum(NOTICE_STATUSES),
    objectionCount: z.number().int().optional(),
  })
  .meta({ id: 'PublicNotice' });

export const NoticeSchema = PublicNoticeSchema.extend({
  warnings: z.array(CalendarWarningSchema),
}).meta({ id: 'Notice' });

export const CreateObjectionBody = z
  .object({
    applicationId: IdParam,
    objectorName: z.string().trim().min(2).max(200).describe('real name (individual) or organisation name'),
    objectorType: z.enum(OBJECTOR_TYPES),
    contact: z.string().trim().min(5).max(254).describe('telephone or e-mail'),
    reason: z.string().trim().min(10).max(10_000),
  })
  .strict()
  .meta({ id: 'CreateObjection' });

export const ObjectionSchema = z
  .object({
    id: z.string(),
    noticeId: z.string(),
    callId: z.string(),
    applicationId: z.string(),
    orgName: z.string().optional().describe('the listed organisation the objection is about'),
    objectorName: z.string(),
    objectorType: z.enum(OBJECTOR_TYPES),
    contact: z.string(),
    reason: z.string(),
    status: z.enum(OBJECTION_STATUSES),
    createdAt: Instant,
    resolvedAt: Instant.optional(),
    resolvedBy: z.string().optional(),
    response: z.string().optional(),
    version: z.number().int(),
  })
  .meta({ id: 'Objection' });

/** `GET /v1/objections`: one status (default `pending`, those awaiting a resolution), a page. */
export const ObjectionListQuery = PageQuery.extend({
  status: z.enum(OBJECTION_STATUSES).default('pending'),
}).strict();

export const ResolveObjectionBody = z
  .object({ upheld: z.boolean(), response: z.string().trim().min(2).max(5000) })
  .strict()
  .meta({ id: 'ResolveObjection' });
