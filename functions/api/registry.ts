import '../adapters/sfn-engine.ts';
import type { z } from 'zod';
import { DynamoApplicationStore } from '../adapters/application-store.ts';
import { DynamoNoticeStore, WorkflowListingTasks } from '../adapters/notice-store.ts';
import { DynamoPlatformStore } from '../adapters/platform-store.ts';
import { policyEndDate } from '../adapters/settings-store.ts';
import { DynamoSharingStore } from '../adapters/sharing-store.ts';
import { workflowEngine } from '../adapters/workflow-engine.ts';
import {
  fileObjection,
  getPublicNotice,
  listObjections,
  listObjectionsByStatus,
  listPublicNotices,
  type NoticeDeps,
  resolveObjection,
} from '../core/notices.ts';
import { getPlatform, listPublicPlatforms, type PlatformDeps } from '../core/platforms.ts';
import { clock } from '../shared/clock.ts';
import { type ApiRequest, type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { logger } from '../shared/powertools.ts';
import { registryRoutes } from './routes/registry.ts';
import type {
  CreateObjectionBody,
  NoticeIdParams,
  ObjectionIdParams,
  ObjectionListQuery,
  ResolveObjectionBody,
} from './schemas/notices.ts';
import type { PlatformIdParams } from './schemas/platforms.ts';

/** Public notices, objections and the platform registry (Art. 8(4), Art. 14). */
const noticeStore = new DynamoNoticeStore();
const notices: NoticeDeps = {
  notices: noticeStore,
  applications: new DynamoApplicationStore(),
  listing: new WorkflowListingTasks(workflowEngine),
  clock,
  policyEndDate: () => policyEndDate(),
  onError: (error, context) =>
    logger.error('listing task completion failed', { ...context, error: error as Error }),
};
const platforms: PlatformDeps = {
  platforms: new DynamoPlatformStore(),
  clock,
  policyEndDate: () => policyEndDate(),
  accessLog: (audit) => new DynamoSharingStore().record(audit),
};

type Page = { limit: number; cursor?: string };
type NoticeReq<B = unknown> = ApiRequest<z.infer<typeof NoticeIdParams>, Page, B>;

export const handler = routeGroupHandler('registry', registryRoutes, {
  listPublicNotices: async (req: ApiRequest<Record<string, never>, Page>) => ({
    status: 200,
    body: await listPublicNotices(notices, req.query),
  }),
  getPublicNotice: async (req: NoticeReq) => ({
    status: 200,
    body: await getPublicNotice(notices, req.params.noticeId),
  }),
  createObjection: (req: NoticeReq<z.infer<typeof CreateObjectionBody>>) =>
    fileObjection(notices, req.params.noticeId, req.body),
  listNoticeObjections: async (req: NoticeReq) => ({
    status: 200,
    body: await listObjections(notices, req.params.noticeId, req.query),
  }),
  listObjections: async (req: AuthedRequest<Record<string, never>, z.infer<typeof ObjectionListQuery>>) => ({
    status: 200,
    body: await listObjectionsByStatus({ notices: noticeStore }, req.query),
  }),
  resolveObjection: async (
    req: AuthedRequest<
      z.infer<typeof ObjectionIdParams>,
      Record<string, never>,
      z.infer<typeof ResolveObjectionBody>
    >,
  ) => ({
    status: 200,
    body: await resolveObjection(notices, req.principal, req.params.objectionId, req.body),
  }),
  listPublicPlatforms: async (req: ApiRequest<Record<string, never>, Page>) => ({
    status: 200,
    body: await listPublicPlatforms(platforms, req.query),
  }),
  getPlatform: async (req: AuthedRequest<z.infer<typeof PlatformIdParams>>) => ({
    status: 200,
    body: await getPlatform(platforms, req.principal, req.params.platformId),
  }),
});
