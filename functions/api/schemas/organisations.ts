import * as z from 'zod';
import { IdParam, Instant } from './common.ts';

const Phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 -]{5,19}$/, 'a telephone number: digits, spaces or dashes, optional leading +');

export const CreateOrganisationBody = z
  .object({
    name: z.string().trim().min(2).max(200),
    uscc: z
      .string()
      .trim()
      .toUpperCase()
      .length(18, 'a unified social credit code has exactly 18 characters'),
    registeredCapitalCny: z.number().int().min(0).max(1e15),
    address: z.string().trim().min(2).max(500),
    legalRepresentative: z.string().trim().min(1).max(100),
    contact: z
      .object({
        name: z.string().trim().min(1).max(100),
        phone: Phone,
        email: z.email().max(254),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'CreateOrganisation' });

export const UsccCheckSchema = z
  .object({
    valid: z.boolean().describe('charset and structure are valid (check digit may still fail)'),
    checkDigitOk: z.boolean(),
    expectedCheckChar: z.string().optional(),
    regionCode: z.string(),
    inZhongshan: z.boolean(),
    entityType: z.string(),
    problems: z.array(z.string()),
  })
  .meta({ id: 'UsccCheck' });

export const OrganisationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    uscc: z.string(),
    registeredCapitalCny: z.number().int(),
    address: z.string(),
    legalRepresentative: z.string(),
    contact: z.object({ name: z.string(), phone: z.string(), email: z.string() }),
    usccCheck: UsccCheckSchema,
    verification: z.object({
      status: z.enum(['not_required', 'pending', 'verified', 'rejected']),
      opinion: z.string().optional(),
      decidedAt: Instant.optional(),
      decidedBy: z.string().optional(),
    }),
    createdAt: Instant,
    updatedAt: Instant,
    version: z.number().int(),
  })
  .meta({ id: 'Organisation' });

export const OrgIdParams = z.object({ orgId: IdParam });

export const VerificationDecisionBody = z
  .object({
    decision: z.enum(['verified', 'rejected']),
    opinion: z.string().trim().min(2).max(2000),
  })
  .strict()
  .meta({ id: 'VerificationDecision' });
