/**
 * One definition per state machine, shared by the CDK stack and the local engine.
 *
 * Conventions (so both worlds run the same JSON):
 * - plain Lambda tasks use the function ARN as `Resource` (results arrive unwrapped, as the local
 *   engine returns them), with `Parameters.action` naming the step for the workflow handler;
 * - human steps use `arn:<partition>:states:::lambda:invoke.waitForTaskToken` with
 *   `Parameters: { FunctionName, Payload: { action, ..., 'taskToken.$': '$$.Task.Token' } }`; the
 *   handler records the waiting task in the registry and the API completes it with SendTaskSuccess;
 * - every task sets `TimeoutSeconds`, Retry on Lambda service errors and a Catch;
 * - JSONPath only (no JSONata); human waits only at the top level (no Map/Parallel around them).
 */
export type Asl = {
  Comment?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, Record<string, unknown>>;
};

export interface WorkflowContext {
  /** ARN of the workflow's task function (a CDK token in CDK, a placeholder locally). */
  readonly functionArn: string;
  /** AWS partition (`aws`, `aws-cn`): a CDK token in CDK, `aws` locally. */
  readonly partition: string;
}

export interface WorkflowDef {
  /** Kebab-case name; the state machine is `<prefix>-<name>`; env `WORKFLOW_<NAME>_ARN` carries its ARN. */
  readonly name: string;
  /** The task handler module: exports `handler(input)`; one function per workflow. */
  readonly handlerEntry: string;
  /** States that wait for a human (callback pattern). */
  readonly callbackStates: readonly string[];
  readonly build: (ctx: WorkflowContext) => Asl;
}

/** Retry policy for Lambda tasks: transient Lambda service errors, with backoff and jitter. */
export const lambdaRetry = [
  {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'States.Timeout',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 4,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
  {
    ErrorEquals: ['TransientError'],
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

/**
 * Retry policy for human (callback) steps: only failures to *open* the task (the Lambda call) are
 * retried. `States.Timeout` is deliberately absent: a human step that times out must go to its Catch,
 * not re-open the task.
 */
export const callbackRetry = lambdaRetry
  .map((r) => ({ ...r, ErrorEquals: r.ErrorEquals.filter((e) => e !== 'States.Timeout') }))
  .filter((r) => r.ErrorEquals.length > 0);

export const callbackResource = (partition: string): string =>
  `arn:${partition}:states:::lambda:invoke.waitForTaskToken`;

/** Environment variable that carries a workflow's state machine ARN to the functions that start it. */
export const workflowArnEnv = (name: string): string =>
  `WORKFLOW_${name.toUpperCase().replace(/-/g, '_')}_ARN`;
