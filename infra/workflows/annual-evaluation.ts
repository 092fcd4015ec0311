import { MAX_REPORT_WINDOW_DAYS } from '../../functions/core/evaluations.ts';
import { type Asl, callbackResource, callbackRetry, lambdaRetry, type WorkflowDef } from './types.ts';

const DAY = 86_400;

/** Callback states of the annual evaluation: the host's report, the officer's grading, the sign-off. */
export const EVALUATION_CALLBACK_STATES = ['AwaitReport', 'AwaitGrading', 'AwaitSignOff'] as const;

/**
 * Static timeouts of the human steps. The report deadline is released by the deadline job
 * (`ReportOverdue` just after it), so the report wait only needs to outlast the longest window a cycle
 * may be opened with; together they stay inside the machine's one-year limit.
 */
export const EVALUATION_TIMEOUTS = {
  AwaitReport: 190 * DAY,
  AwaitGrading: 80 * DAY,
  AwaitSignOff: 90 * DAY,
} as const satisfies Record<(typeof EVALUATION_CALLBACK_STATES)[number], number>;

if (MAX_REPORT_WINDOW_DAYS * DAY >= EVALUATION_TIMEOUTS.AwaitReport) {
  throw new Error('annual-evaluation: the report wait must outlast the longest report window');
}

/**
 * Art. 12: the annual evaluation of one platform in one cycle, started when the cycle opens with
 * `{ year, platformId, evaluationId }` and execution name `eval-<year>-<platformId>`.
 *
 * AwaitReport (host members; the deadline job fails it with `ReportOverdue` just after the report
 * deadline → MarkOverdue → Overdue) → AwaitGrading (officers) → AwaitSignOff (system-held; completed
 * by the approver's finalize of the cycle) → Publish → Published. Every callback state catches
 * `PlatformRevoked` (the platform was revoked or expired mid-cycle → MarkNotGraded → NotGraded),
 * `States.Timeout` and anything else (→ RecordFailure: recorded on the evaluation, officers told → Fail).
 * Each decision is committed by the API with its audit event before the step is completed.
 */
export const annualEvaluationWorkflow: WorkflowDef = {
  name: 'annual-evaluation',
  handlerEntry: 'functions/workflow/annual-evaluation.ts',
  callbackStates: EVALUATION_CALLBACK_STATES,
  build: ({ functionArn, partition }): Asl => {
    const base = {
      'year.$': '$.year',
      'platformId.$': '$.platformId',
      'evaluationId.$': '$.evaluationId',
      'executionName.$': '$$.Execution.Name',
    };
    const catches = (extra: Record<string, unknown>[] = []) => [
      ...extra,
      { ErrorEquals: ['PlatformRevoked'], ResultPath: '$.error', Next: 'MarkNotGraded' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
    ];
    const human = (
      stateName: (typeof EVALUATION_CALLBACK_STATES)[number],
      kind: string,
      resultPath: string,
      next: string,
      extraCatches: Record<string, unknown>[] = [],
    ) => ({
      Type: 'Task',
      Resource: callbackResource(partition),
      Parameters: {
        FunctionName: functionArn,
        Payload: { action: 'openHumanTask', kind, ...base, stateName, 'taskToken.$': '$$.Task.Token' },
      },
      TimeoutSeconds: EVALUATION_TIMEOUTS[stateName],
      ResultPath: resultPath,
      Retry: callbackRetry,
      Catch: catches(extraCatches),
      Next: next,
    });
    const step = (action: string, next: { Next: string } | { End: true }, withCatch = true) => ({
      Type: 'Task',
      Resource: functionArn,
      Parameters: { action, ...base, ...(action === 'recordFailure' ? { 'error.$': '$.error' } : {}) },
      TimeoutSeconds: 30,
      ResultPath: null,
      Retry: lambdaRetry,
      ...(withCatch
        ? { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }] }
        : {}),
      ...next,
    });
    return {
      Comment: 'Annual evaluation of one platform: report, grading, sign-off, publication (Art. 12)',
      StartAt: 'Init',
      TimeoutSeconds: 365 * DAY,
      States: {
        Init: {
          Type: 'Pass',
          Parameters: {
            'year.$': '$.year',
            'platformId.$': '$.platformId',
            'evaluationId.$': '$.evaluationId',
          },
          Next: 'AwaitReport',
        },
        AwaitReport: human('AwaitReport', 'evaluation_report', '$.report', 'AwaitGrading', [
          { ErrorEquals: ['ReportOverdue'], ResultPath: '$.error', Next: 'MarkOverdue' },
        ]),
        AwaitGrading: human('AwaitGrading', 'evaluation_grading', '$.grading', 'AwaitSignOff'),
        AwaitSignOff: human('AwaitSignOff', 'evaluation_signoff', '$.signOff', 'Publish'),
        Publish: step('publish', { Next: 'Published' }),
        Published: { Type: 'Succeed' },
        MarkOverdue: step('markOverdue', { Next: 'Overdue' }),
        Overdue: { Type: 'Succeed' },
        MarkNotGraded: step('markNotGraded', { Next: 'NotGraded' }),
        NotGraded: { Type: 'Succeed' },
        RecordFailure: step('recordFailure', { Next: 'Failed' }, false),
        Failed: {
          Type: 'Fail',
          Error: 'EvaluationFailed',
          Cause: 'See workflowError on the evaluation in the registry',
        },
      },
    };
  },
};
