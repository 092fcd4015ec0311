import type { Application } from '../../../functions/core/applications.ts';
import type { Call } from '../../../functions/core/calls.ts';

/**
 * A call that has closed and an application on its proposed list: what a public notice is opened from
 * (Art. 8(4)). Written with the stores directly by the notice and console-list suites, which test what
 * happens from the approval of the list on.
 */
export const closedCall = (id: string): Call => ({
  id,
  title: '2026年度市级人工智能赋能平台认定',
  description: 'Art. 7–9',
  opensAt: '2026-05-01T00:00:00.000Z',
  closesAt: '2026-06-01T00:00:00.000Z',
  requiredEvidence: [],
  scoringCriteria: [{ key: 'resources', title: '资源集聚', weight: 1, max: 100 }],
  noticePeriod: { length: 5, unit: 'working_days' },
  status: 'closed',
  createdBy: 'officer-1',
  createdAt: '2026-04-01T00:00:00.000Z',
  updatedAt: '2026-04-01T00:00:00.000Z',
  version: 3,
});

export const proposedApplication = (id: string, callId: string): Application => ({
  id,
  callId,
  orgId: `org-${id}`,
  ownerSub: `owner-${id}`,
  orgName: `中山${id}科技有限公司`,
  uscc: '91442000MA4UQ9YX2J',
  consortium: [{ name: '中山大学', kind: 'university' }],
  partners: [],
  registeredCapitalCny: 60_000_000,
  committedEnterprisesPerYear: 40,
  capabilities: ['compute'],
  summary: `Platform of ${id}`,
  status: 'proposed',
  eligibility: { eligible: true, failures: [], manualVerification: false, warnings: [] },
  version: 5,
  createdAt: '2026-05-02T00:00:00.000Z',
  updatedAt: '2026-05-02T00:00:00.000Z',
});
