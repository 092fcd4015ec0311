import { ROUTE_GROUPS, type RouteGroup } from '../../functions/api/routes.ts';
import { workflows } from '../workflows/index.ts';

/**
 * Every Lambda function the stateless stack deploys, by short name and handler entry. The stack builds
 * its functions from these, and `npm run bench` (bench/cold-start.ts) bundles and times each one from
 * the same list, so a new function cannot be left out of the measurement. Kept free of aws-cdk-lib so
 * the benchmark can read it without loading CDK.
 */
export type FunctionKind = 'api' | 'job' | 'workflow';

export interface FunctionEntry {
  /** `<prefix>-<name>` is the deployed function name. */
  readonly name: string;
  /** Handler module relative to the repository root (export `handler`). */
  readonly entry: string;
  readonly kind: FunctionKind;
  /** API functions: the route group it serves. */
  readonly group?: RouteGroup;
  /** Workflow task functions: the state machine's name. */
  readonly workflow?: string;
}

/** One function per route group. */
export const apiFunctionEntry = (group: RouteGroup): FunctionEntry => ({
  name: `api-${group}`,
  entry: `functions/api/${group}.ts`,
  kind: 'api',
  group,
});

/** The task function of a state machine. */
export const workflowFunctionEntry = (w: { name: string; handlerEntry: string }): FunctionEntry => ({
  name: `wf-${w.name}`,
  entry: w.handlerEntry,
  kind: 'workflow',
  workflow: w.name,
});

/** The jobs (not behind the API): scheduled, stream-fed, event-fed. */
export const JOB_FUNCTIONS = {
  deadlines: { name: 'job-deadlines', entry: 'functions/jobs/deadlines.ts', kind: 'job' },
  notificationSender: {
    name: 'job-notification-sender',
    entry: 'functions/jobs/notification-sender.ts',
    kind: 'job',
  },
  /** Deployed only where the stage scans evidence (`malwareProtection`). */
  malwareScanResult: {
    name: 'job-malware-scan-result',
    entry: 'functions/jobs/malware-scan-result.ts',
    kind: 'job',
  },
} as const satisfies Record<string, FunctionEntry>;

/** Every function of the stack (the malware-scan job included, as in a stage that scans evidence). */
export function functionEntries(): FunctionEntry[] {
  return [
    ...ROUTE_GROUPS.map(apiFunctionEntry),
    ...Object.values(JOB_FUNCTIONS),
    ...workflows.map(workflowFunctionEntry),
  ];
}
