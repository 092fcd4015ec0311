import * as z from 'zod';

/** RFC 9457 problem body, as every 4xx/5xx response carries it. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable UPPER_SNAKE code'),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const IdParam = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

export const Instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant with offset');
export const CalendarDate = z.iso.date().describe('YYYY-MM-DD, interpreted in Asia/Shanghai');

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(1024).optional(),
});

export const AuditEventSchema = z
  .object({
    at: Instant,
    actor: z.object({ sub: z.string(), roles: z.array(z.string()) }),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });
