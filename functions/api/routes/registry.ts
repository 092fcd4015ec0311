import * as z from 'zod';
import type { RouteDef } from '../route-types.ts';
import { PageQuery } from '../schemas/common.ts';
import {
  CreateObjectionBody,
  NoticeIdParams,
  ObjectionIdParams,
  ObjectionListQuery,
  ObjectionSchema,
  PublicNoticeSchema,
  ResolveObjectionBody,
} from '../schemas/notices.ts';
import { PlatformIdParams, PlatformSchema, PublicPlatformSchema } from '../schemas/platforms.ts';

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

/** Public notices, objections and the registry of platforms (Art. 8(4), Art. 14). */
export const registryRoutes: readonly RouteDef[] = [
  {
    id: 'listPublicNotices',
    method: 'GET',
    path: '/v1/public/notices',
    group: 'registry',
    auth: 'public',
    summary: 'Public notices of proposed lists, newest first.',
    tags: ['registry'],
    request: { query: PageQuery.strict() },
    responses: { 200: { description: 'A page of notices', schema: page(PublicNoticeSchema) } },
  },
  {
    id: 'getPublicNotice',
    method: 'GET',
    path: '/v1/public/notices/{noticeId}',
    group: 'registry',
    auth: 'public',
    summary:
      'A public notice: listed organisations, period, status and the number of objections (never who objected).',
    tags: ['registry'],
    request: { params: NoticeIdParams },
    responses: { 200: { description: 'The notice', schema: PublicNoticeSchema } },
  },
  {
    id: 'createObjection',
    method: 'POST',
    path: '/v1/public/notices/{noticeId}/objections',
    group: 'registry',
    auth: 'public',
    summary:
      'Object to a listed application during the notice period (409 NOTICE_NOT_OPEN outside it), with real name or organisation and a contact; kept confidential. Repeating the same objection returns the same id.',
    tags: ['registry'],
    request: { params: NoticeIdParams, body: CreateObjectionBody },
    responses: {
      201: {
        description: 'Filed',
        schema: z.object({ id: z.string(), status: z.enum(['pending', 'upheld', 'dismissed']) }),
      },
    },
  },
  {
    id: 'listNoticeObjections',
    method: 'GET',
    path: '/v1/notices/{noticeId}/objections',
    group: 'registry',
    auth: ['officer', 'approver'],
    summary: 'The objections to a notice, with the objectors’ confidential details, oldest first.',
    tags: ['registry'],
    request: { params: NoticeIdParams, query: PageQuery.strict() },
    responses: { 200: { description: 'A page of objections', schema: page(ObjectionSchema) } },
  },
  {
    id: 'listObjections',
    method: 'GET',
    path: '/v1/objections',
    group: 'registry',
    auth: ['officer', 'approver'],
    summary:
      'Every notice’s objections of one status (default pending: those awaiting a resolution), newest first, with the objectors’ confidential details and the listed organisation’s name.',
    tags: ['registry'],
    request: { query: ObjectionListQuery },
    responses: { 200: { description: 'A page of objections', schema: page(ObjectionSchema) } },
  },
  {
    id: 'resolveObjection',
    method: 'POST',
    path: '/v1/objections/{objectionId}/resolution',
    group: 'registry',
    auth: ['officer'],
    summary:
      'Uphold or dismiss a pending objection (409 OBJECTION_NOT_PENDING / STALE_VERSION when someone else resolved it first). After the notice closed, the last resolution decides the application.',
    tags: ['registry'],
    request: { params: ObjectionIdParams, body: ResolveObjectionBody },
    responses: { 200: { description: 'Resolved', schema: ObjectionSchema } },
  },
  {
    id: 'listPublicPlatforms',
    method: 'GET',
    path: '/v1/public/platforms',
    group: 'registry',
    auth: 'public',
    summary: 'Recognised, active platforms valid today (Art. 14), newest first; public fields only.',
    tags: ['registry'],
    request: { query: PageQuery.strict() },
    responses: { 200: { description: 'A page of platforms', schema: page(PublicPlatformSchema) } },
  },
  {
    id: 'getPlatform',
    method: 'GET',
    path: '/v1/platforms/{platformId}',
    group: 'registry',
    auth: ['applicant', 'officer', 'approver', 'admin', 'observer'],
    summary: 'A platform: the host organisation’s members, staff and observers (Art. 11); anyone else 404.',
    tags: ['registry'],
    request: { params: PlatformIdParams },
    responses: { 200: { description: 'The platform', schema: PlatformSchema } },
  },
];
