import * as z from 'zod';
import { PLATFORM_STATUSES } from '../../core/recognition-model.ts';
import { CalendarDate, IdParam, Instant } from './common.ts';

export const PlatformIdParams = z.object({ platformId: IdParam });

export const PublicPlatformSchema = z
  .object({
    id: z.string(),
    hostName: z.string(),
    uscc: z.string(),
    summary: z.string(),
    capabilities: z.array(z.string()),
    consortium: z.array(z.object({ name: z.string(), kind: z.string() })),
    status: z.enum(PLATFORM_STATUSES),
    recognisedAt: Instant,
    validUntil: CalendarDate.describe('Art. 14: the policy end date'),
  })
  .meta({ id: 'PublicPlatform' });

export const PlatformSchema = PublicPlatformSchema.extend({
  applicationId: z.string(),
  callId: z.string(),
  orgId: z.string(),
  noticeId: z.string(),
  consortium: z.array(z.object({ name: z.string(), uscc: z.string().optional(), kind: z.string() })),
  createdAt: Instant,
  updatedAt: Instant,
  version: z.number().int(),
}).meta({ id: 'Platform' });
