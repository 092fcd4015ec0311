import { env, workflowArn } from '../shared/env.ts';
import { setDefaultWorkflowEngineFactory, type WorkflowEngine } from './workflow-engine.ts';

/**
 * The AWS workflow engine: Step Functions. StartExecution with the state machine ARN from
 * `WORKFLOW_<NAME>_ARN` (set by CDK); an execution name that exists already → `alreadyStarted: true`,
 * so a retried start cannot fork a second review. The SFN client is loaded on first use only.
 */
export async function createSfnEngine(
  client?: Pick<import('@aws-sdk/client-sfn').SFNClient, 'send'>,
): Promise<WorkflowEngine> {
  const sfn = await import('@aws-sdk/client-sfn');
  client ??= new sfn.SFNClient({ region: env().AWS_REGION });
  return {
    async start(workflow, executionName, input) {
      const stateMachineArn = workflowArn(workflow);
      if (!stateMachineArn)
        throw new Error(`No state machine ARN for workflow ${workflow} (WORKFLOW_*_ARN unset)`);
      try {
        const out = await client.send(
          new sfn.StartExecutionCommand({
            stateMachineArn,
            name: executionName,
            input: JSON.stringify(input),
          }),
        );
        return { executionId: out.executionArn ?? executionName, alreadyStarted: false };
      } catch (e) {
        if (e instanceof sfn.ExecutionAlreadyExists) {
          const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
          return { executionId: executionArn, alreadyStarted: true };
        }
        throw e;
      }
    },
    async sendTaskSuccess(taskToken, output) {
      await client.send(new sfn.SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    },
    async sendTaskFailure(taskToken, error, cause) {
      await client.send(new sfn.SendTaskFailureCommand({ taskToken, error, cause }));
    },
  };
}

setDefaultWorkflowEngineFactory(() => createSfnEngine());
