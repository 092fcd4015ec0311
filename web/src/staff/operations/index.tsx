import type { Page } from '../../router.ts';

/**
 * Staff console, operations pages: organisation verification, platform records with change-request
 * decisions, notices with objections, revocations.
 */
export const operationsPages: readonly Page[] = [];
