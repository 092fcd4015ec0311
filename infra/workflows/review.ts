import { MAX_SUPPLEMENT_DAYS } from '../../functions/core/review.ts';
import { type Asl, callbackResource, callbackRetry, lambdaRetry, type WorkflowDef } from './types.ts';

const DAY = 86_400;

/** Callback states of the review: each waits for a human decision (or, for `AwaitListing`, the notice). */
export const REVIEW_CALLBACK_STATES = [
  'OpenPreliminaryReview',
  'AwaitSupplement',
  'OpenExpertAssignment',
  'OpenExpertReviews',
  'OpenSiteInspection',
  'AwaitListing',
] as const;

/**
 * Static timeouts of the human steps. The deadline job reminds and escalates long before these; the
 * supplement deadline is released by the deadline job (`SupplementDeadlinePassed`), so the supplement
 * wait only needs to outlast the longest deadline an officer may set (`MAX_SUPPLEMENT_DAYS`).
 */
export const REVIEW_TIMEOUTS = {
  OpenPreliminaryReview: 30 * DAY,
  AwaitSupplement: 75 * DAY,
  OpenExpertAssignment: 30 * DAY,
  OpenExpertReviews: 60 * DAY,
  OpenSiteInspection: 60 * DAY,
  AwaitListing: 180 * DAY,
} as const satisfies Record<(typeof REVIEW_CALLBACK_STATES)[number], number>;

if (MAX_SUPPLEMENT_DAYS * DAY >= REVIEW_TIMEOUTS.AwaitSupplement) {
  throw new Error('review: the supplement wait must outlast the longest supplement period');
}

/**
 * Art. 8(2)–(4): the review of one application, started by its submission with
 * `{ applicationId, callId }` and execution name `app-<applicationId>`.
 *
 * OpenPreliminaryReview (officer) → pass: OpenExpertAssignment | return: AwaitSupplement (owner;
 * resubmitted → NextRound → OpenPreliminaryReview) | reject: RecordRejection → Rejected.
 * OpenExpertAssignment (officer) → OpenExpertReviews (assigned experts; completed by the API when the
 * last one has reviewed) → OpenSiteInspection (officer) → passed: MarkAwaitingRanking → AwaitListing
 * (system-held; completed by the notice close with `{ outcome }`) → Finalise → Recognised | failed:
 * MarkInspectionFailed → InspectionFailed.
 *
 * Every human decision is applied by the API in one transaction with its audit event, and then the
 * task token is completed. Every callback state catches `Withdrawn` (the applicant withdrew →
 * CloseWithdrawnTask → EndWithdrawn), `SupplementDeadlinePassed` (the deadline job at the supplement
 * deadline → MarkSupplementExpired), `States.Timeout` (→ MarkStepTimedOut: status `error`) and
 * anything else (→ RecordFailure: status `error`, visible to staff → Fail).
 * `round` counts preliminary reviews, so a re-opened step gets a task of its own.
 */
export const reviewWorkflow: WorkflowDef = {
  name: 'review',
  handlerEntry: 'functions/workflow/review.ts',
  callbackStates: REVIEW_CALLBACK_STATES,
  build: ({ functionArn, partition }): Asl => {
    const base = { 'applicationId.$': '$.applicationId', 'callId.$': '$.callId', 'round.$': '$.round' };
    const catches = (stateName: string) => [
      { ErrorEquals: ['Withdrawn'], ResultPath: '$.error', Next: 'CloseWithdrawnTask' },
      { ErrorEquals: ['SupplementDeadlinePassed'], ResultPath: '$.error', Next: 'MarkSupplementExpired' },
      {
        ErrorEquals: ['States.Timeout'],
        ResultPath: '$.error',
        Next: timedOutStates[stateName] as string,
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
    ];
    // MarkStepTimedOut needs the state that timed out: one small Pass per callback state names it.
    const timedOutStates: Record<string, string> = Object.fromEntries(
      REVIEW_CALLBACK_STATES.map((s) => [s, `${s}TimedOut`]),
    );
    const human = (
      stateName: (typeof REVIEW_CALLBACK_STATES)[number],
      kind: string,
      resultPath: string,
      next: string,
    ) => ({
      Type: 'Task',
      Resource: callbackResource(partition),
      Parameters: {
        FunctionName: functionArn,
        Payload: {
          action: 'openHumanTask',
          kind,
          ...base,
          'executionName.$': '$$.Execution.Name',
          stateName,
          'taskToken.$': '$$.Task.Token',
        },
      },
      TimeoutSeconds: REVIEW_TIMEOUTS[stateName],
      ResultPath: resultPath,
      Retry: callbackRetry,
      Catch: catches(stateName),
      Next: next,
    });
    const step = (
      action: string,
      next: { Next: string } | { End: true },
      extra: Record<string, unknown> = {},
    ) => ({
      Type: 'Task',
      Resource: functionArn,
      Parameters: { action, ...base, 'executionName.$': '$$.Execution.Name', ...extra },
      TimeoutSeconds: 30,
      ResultPath: null,
      Retry: lambdaRetry,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }],
      ...next,
    });
    const timedOutPasses = Object.fromEntries(
      REVIEW_CALLBACK_STATES.map((s) => [
        `${s}TimedOut`,
        { Type: 'Pass', Result: s, ResultPath: '$.timedOutState', Next: 'MarkStepTimedOut' },
      ]),
    );
    return {
      Comment:
        'Review of one application: preliminary review, experts, site inspection, listing (Art. 8(2)–(4))',
      StartAt: 'Init',
      TimeoutSeconds: 365 * DAY,
      States: {
        Init: {
          Type: 'Pass',
          Parameters: { 'applicationId.$': '$.applicationId', 'callId.$': '$.callId', round: 0 },
          Next: 'OpenPreliminaryReview',
        },
        OpenPreliminaryReview: human(
          'OpenPreliminaryReview',
          'preliminary_review',
          '$.preliminary',
          'PreliminaryDecision',
        ),
        PreliminaryDecision: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.preliminary.decision', StringEquals: 'pass', Next: 'OpenExpertAssignment' },
            { Variable: '$.preliminary.decision', StringEquals: 'return', Next: 'AwaitSupplement' },
            { Variable: '$.preliminary.decision', StringEquals: 'reject', Next: 'RecordRejection' },
          ],
          Default: 'UnknownDecision',
        },
        UnknownDecision: {
          Type: 'Pass',
          Parameters: {
            Error: 'UnknownDecision',
            Cause: 'The preliminary review decision was not pass, return or reject',
          },
          ResultPath: '$.error',
          Next: 'RecordFailure',
        },
        AwaitSupplement: human('AwaitSupplement', 'supplement', '$.supplement', 'NextRound'),
        NextRound: {
          Type: 'Pass',
          Parameters: {
            'applicationId.$': '$.applicationId',
            'callId.$': '$.callId',
            'round.$': 'States.MathAdd($.round, 1)',
          },
          Next: 'OpenPreliminaryReview',
        },
        RecordRejection: step('recordRejection', { Next: 'Rejected' }),
        Rejected: { Type: 'Succeed' },
        OpenExpertAssignment: human(
          'OpenExpertAssignment',
          'expert_assignment',
          '$.assignment',
          'OpenExpertReviews',
        ),
        OpenExpertReviews: human('OpenExpertReviews', 'expert_review', '$.reviews', 'OpenSiteInspection'),
        OpenSiteInspection: human(
          'OpenSiteInspection',
          'site_inspection',
          '$.inspection',
          'InspectionDecision',
        ),
        InspectionDecision: {
          Type: 'Choice',
          Choices: [{ Variable: '$.inspection.passed', BooleanEquals: true, Next: 'MarkAwaitingRanking' }],
          Default: 'MarkInspectionFailed',
        },
        MarkInspectionFailed: step('markInspectionFailed', { Next: 'InspectionFailed' }),
        InspectionFailed: { Type: 'Succeed' },
        MarkAwaitingRanking: step('markAwaitingRanking', { Next: 'AwaitListing' }),
        AwaitListing: human('AwaitListing', 'listing', '$.listing', 'Finalise'),
        Finalise: step('finalise', { Next: 'Done' }, { 'listing.$': '$.listing' }),
        Done: { Type: 'Succeed' },
        MarkSupplementExpired: step('markSupplementExpired', { Next: 'SupplementExpired' }),
        SupplementExpired: { Type: 'Succeed' },
        CloseWithdrawnTask: step('closeWithdrawnTask', { Next: 'EndWithdrawn' }),
        EndWithdrawn: { Type: 'Succeed' },
        ...timedOutPasses,
        MarkStepTimedOut: step(
          'markStepTimedOut',
          { Next: 'StepTimedOut' },
          { 'stateName.$': '$.timedOutState', 'error.$': '$.error' },
        ),
        StepTimedOut: {
          Type: 'Fail',
          Error: 'ReviewStepTimedOut',
          Cause: 'A human step of the review was not completed in time; the application is in status error',
        },
        RecordFailure: {
          Type: 'Task',
          Resource: functionArn,
          Parameters: {
            action: 'recordFailure',
            ...base,
            'executionName.$': '$$.Execution.Name',
            'error.$': '$.error',
          },
          TimeoutSeconds: 30,
          ResultPath: null,
          Retry: lambdaRetry,
          Next: 'Failed',
        },
        Failed: {
          Type: 'Fail',
          Error: 'WorkflowFailed',
          Cause: 'See the workflow failure record in the registry',
        },
      },
    };
  },
};
