import { type Asl, callbackResource, callbackRetry, lambdaRetry, type WorkflowDef } from './types.ts';

const DAY = 86_400;

/**
 * Art. 9(1) and the GB 32100-2015 appendix: an organisation whose USCC fails the check digit, or whose
 * region digits are outside Zhongshan, is accepted but waits for an officer's manual verification.
 *
 * OpenVerificationTask (human, callback) → NotifyOutcome → done.
 * The officer's decision is applied by the API in one transaction with its audit event; the API then
 * completes the task token. A task still open after `TimeoutSeconds` is marked timed out (the deadline
 * job has already sent reminders and escalated it by then).
 */
export const usccVerificationWorkflow: WorkflowDef = {
  name: 'uscc-verification',
  handlerEntry: 'functions/workflow/uscc-verification.ts',
  callbackStates: ['OpenVerificationTask'],
  build: ({ functionArn, partition }): Asl => ({
    Comment: 'Manual verification of an organisation’s unified social credit code (Art. 9(1))',
    StartAt: 'OpenVerificationTask',
    TimeoutSeconds: 60 * DAY,
    States: {
      OpenVerificationTask: {
        Type: 'Task',
        Resource: callbackResource(partition),
        Parameters: {
          FunctionName: functionArn,
          Payload: {
            action: 'openHumanTask',
            kind: 'uscc_verification',
            'orgId.$': '$.orgId',
            'executionName.$': '$$.Execution.Name',
            stateName: 'OpenVerificationTask',
            'taskToken.$': '$$.Task.Token',
          },
        },
        TimeoutSeconds: 30 * DAY,
        ResultPath: '$.decision',
        Retry: callbackRetry,
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'MarkTimedOut' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
        ],
        Next: 'NotifyOutcome',
      },
      NotifyOutcome: {
        Type: 'Task',
        Resource: functionArn,
        Parameters: { action: 'notifyOutcome', 'orgId.$': '$.orgId', 'decision.$': '$.decision' },
        TimeoutSeconds: 30,
        Retry: lambdaRetry,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }],
        End: true,
      },
      MarkTimedOut: {
        Type: 'Task',
        Resource: functionArn,
        Parameters: {
          action: 'markTimedOut',
          'orgId.$': '$.orgId',
          'executionName.$': '$$.Execution.Name',
          stateName: 'OpenVerificationTask',
        },
        TimeoutSeconds: 30,
        Retry: lambdaRetry,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }],
        End: true,
      },
      RecordFailure: {
        Type: 'Task',
        Resource: functionArn,
        Parameters: {
          action: 'recordFailure',
          'orgId.$': '$.orgId',
          'executionName.$': '$$.Execution.Name',
          'error.$': '$.error',
        },
        TimeoutSeconds: 30,
        Retry: lambdaRetry,
        Next: 'Failed',
      },
      Failed: {
        Type: 'Fail',
        Error: 'WorkflowFailed',
        Cause: 'See the workflow failure record in the registry',
      },
    },
  }),
};
