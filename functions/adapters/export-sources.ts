import type { Evaluation } from '../core/evaluations.ts';
import type {
  ExportSources,
  GradeRow,
  PageSource,
  RankingRow,
  RegistryRow,
  RevocationRow,
} from '../core/exports.ts';
import { EXPORT_PAGE } from '../core/exports.ts';
import type { Platform } from '../core/platforms.ts';
import { getRanking } from '../core/review.ts';
import type { Revocation } from '../core/revocations.ts';
import { NotFoundError } from '../shared/errors.ts';
import { DynamoEvaluationStore } from './evaluation-store.ts';
import { decodeCursor, encodeCursor, type Item, type Registry, registry } from './registry.ts';
import { dynamoReviewDeps } from './review-store.ts';
import { DynamoRevocationStore } from './revocation-store.ts';
import { GSI1 } from './table-schema.ts';

/**
 * What the CSV exports read, wired to the modules' stores: the review module's ranking (Art. 8(3)),
 * the registry's status index `PLATFORMS#<status>` (Art. 8(4), 13, 14), the evaluation store's year
 * partition (Art. 12) and the revocation store's case index (Art. 13) — all in bounded pages.
 */
export class DynamoExportSources implements ExportSources {
  constructor(private readonly reg: Registry = registry()) {}

  async ranking(callId: string): Promise<readonly RankingRow[] | undefined> {
    const deps = dynamoReviewDeps(
      {
        workflows: () => Promise.reject(new Error('exports never drive workflows')),
        clock: { now: () => new Date() },
        dueDays: 1,
      },
      this.reg,
    );
    try {
      const ranking = await getRanking(deps, callId);
      return ranking.items.map((r) => ({
        rank: r.rank,
        applicationId: r.applicationId,
        orgName: r.orgName,
        uscc: r.uscc,
        averageScore: r.averageScore,
        status: r.status,
        ...(r.submittedAt ? { submittedAt: r.submittedAt } : {}),
      }));
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  platforms(status: 'active' | 'revoked' | 'expired'): PageSource<RegistryRow> {
    const pk = `PLATFORMS#${status}`;
    return async (cursor) => {
      const start = cursor
        ? decodeCursor(cursor, (k) => k.gsi1pk === pk && Object.keys(k).length === 4)
        : undefined;
      const page = await this.reg.query({
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: false,
        Limit: EXPORT_PAGE,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      return {
        items: page.items.map((i: Item) => {
          const p = i as unknown as Platform & {
            targetTasks?: string[];
            revokedAt?: string;
            endedAt?: string;
          };
          return {
            id: p.id,
            hostName: p.hostName,
            uscc: p.uscc,
            status: String(p.status),
            capabilities: p.capabilities ?? [],
            ...(p.targetTasks ? { targetTasks: p.targetTasks } : {}),
            recognisedAt: p.recognisedAt,
            validUntil: p.validUntil,
            ...(p.revokedAt ? { revokedAt: p.revokedAt } : {}),
            ...(p.endedAt ? { endedAt: p.endedAt } : {}),
          };
        }),
        ...(page.lastKey && page.items.length === EXPORT_PAGE
          ? { nextCursor: encodeCursor(page.lastKey) }
          : {}),
      };
    };
  }

  evaluations(year: number): PageSource<GradeRow> {
    const store = new DynamoEvaluationStore(this.reg);
    return async (cursor) => {
      const page = await store.list(year, EXPORT_PAGE, cursor);
      return {
        items: page.items.map((e: Evaluation) => ({
          year: e.year,
          platformId: e.platformId,
          hostName: e.hostName,
          status: e.status,
          ...(e.score !== undefined ? { score: e.score } : {}),
          ...(e.grade ? { grade: e.grade } : {}),
          ...(e.overrideReason ? { overrideReason: e.overrideReason } : {}),
          ...(e.publishedAt ? { publishedAt: e.publishedAt } : {}),
        })),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    };
  }

  revocations(): PageSource<RevocationRow> {
    const store = new DynamoRevocationStore(this.reg);
    return async (cursor) => {
      const page = await store.list(undefined, EXPORT_PAGE, cursor);
      return {
        items: page.items.map((r: Revocation) => ({
          id: r.id,
          platformId: r.platformId,
          hostName: r.hostName,
          ground: r.ground,
          status: r.status,
          createdAt: r.createdAt,
          responseDeadline: r.responseDeadline,
          ...(r.decision ? { decision: r.decision } : {}),
        })),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    };
  }
}
