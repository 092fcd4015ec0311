/**
 * The recognition process of Chapter 3 (Art. 7–9) as states and keys shared by its modules: calls,
 * applications and evidence, the review workflow, public notices and the registry of platforms.
 * Each module owns its own store and use cases; this file fixes only the names they share.
 */

/** Art. 8: a call is drafted, published (scheduled or open), and closes at `closesAt`. */
export const CALL_STATUSES = ['draft', 'scheduled', 'open', 'closed'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/**
 * An application's life (Art. 8(1)–(4)):
 * draft → submitted → preliminary_review → (returned → preliminary_review)* → expert_review →
 * site_inspection → awaiting_ranking → proposed → on_notice → recognised | not_recognised;
 * rejected (preliminary review), inspection_failed, supplement_expired, withdrawn are terminal;
 * error: the review workflow failed for good; staff can see it and retry.
 */
export const APPLICATION_STATUSES = [
  'draft',
  'submitted',
  'preliminary_review',
  'returned',
  'rejected',
  'supplement_expired',
  'expert_review',
  'site_inspection',
  'inspection_failed',
  'awaiting_ranking',
  'proposed',
  'on_notice',
  'recognised',
  'not_recognised',
  'withdrawn',
  'error',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** An applicant may withdraw until the list is published (Art. 8(4)). */
export const WITHDRAWABLE: readonly ApplicationStatus[] = [
  'draft',
  'submitted',
  'preliminary_review',
  'returned',
  'expert_review',
  'site_inspection',
  'awaiting_ranking',
  'proposed',
];

/** Only these can be edited by the owner (PATCH). */
export const EDITABLE: readonly ApplicationStatus[] = ['draft', 'returned'];

export const NOTICE_STATUSES = ['open', 'closed'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

export const OBJECTION_STATUSES = ['pending', 'upheld', 'dismissed'] as const;
export type ObjectionStatus = (typeof OBJECTION_STATUSES)[number];

export const PLATFORM_STATUSES = ['active', 'expired', 'revoked'] as const;
export type PlatformStatus = (typeof PLATFORM_STATUSES)[number];

/** Kinds of consortium members and partner institutions (Art. 3, Art. 9(3)). */
export const MEMBER_KINDS = [
  'company',
  'think_tank',
  'university',
  'research_institute',
  'industry_association',
  'financial_institution',
  'other',
] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];

/** Human steps of the review workflow (task `kind`s in the inbox). */
export const REVIEW_TASK_KINDS = [
  'preliminary_review',
  'supplement',
  'expert_assignment',
  'expert_review',
  'site_inspection',
  'listing',
] as const;
export type ReviewTaskKind = (typeof REVIEW_TASK_KINDS)[number];

/** Keys of the recognition entities in the registry table (see the README's access patterns). */
export const keys = {
  call: (id: string) => ({ pk: `CALL#${id}`, sk: 'CALL' }),
  application: (id: string) => ({ pk: `APP#${id}`, sk: 'APP' }),
  evidence: (applicationId: string, evidenceId: string) => ({
    pk: `APP#${applicationId}`,
    sk: `EVIDENCE#${evidenceId}`,
  }),
  expert: (id: string) => ({ pk: `EXPERT#${id}`, sk: 'EXPERT' }),
  expertByUser: (sub: string) => ({ pk: `EXPERTUSER#${sub}`, sk: 'GUARD' }),
  assignment: (applicationId: string, expertId: string) => ({
    pk: `APP#${applicationId}`,
    sk: `ASSIGN#${expertId}`,
  }),
  review: (applicationId: string, expertId: string) => ({
    pk: `APP#${applicationId}`,
    sk: `REVIEW#${expertId}`,
  }),
  inspection: (applicationId: string) => ({ pk: `APP#${applicationId}`, sk: 'INSPECTION' }),
  proposedList: (callId: string) => ({ pk: `CALL#${callId}`, sk: 'LIST' }),
  notice: (id: string) => ({ pk: `NOTICE#${id}`, sk: 'NOTICE' }),
  objection: (id: string) => ({ pk: `OBJ#${id}`, sk: 'OBJ' }),
  platform: (id: string) => ({ pk: `PLATFORM#${id}`, sk: 'PLATFORM' }),
  calendarYear: (year: number) => ({ pk: `CALENDAR#${year}`, sk: 'CALENDAR' }),
} as const;

/** A platform's id is derived from the application it came from, so publishing twice cannot create two. */
export const platformIdFor = (applicationId: string): string => `p-${applicationId}`;

/** Review workflow execution name: derived from the application, so a retried submit cannot fork a second review. */
export const reviewExecutionName = (applicationId: string): string => `app-${applicationId}`;
