import {
  ExecutionAlreadyExists,
  type SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { createSfnEngine } from '../../functions/adapters/sfn-engine.ts';

/** The Step Functions engine's own logic (ARN lookup, name reuse); the AWS calls are faked at `send`. */
const ARN = 'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:zs-uscc-verification';

function fakeClient(behaviour: 'ok' | 'exists' | 'throttled') {
  const sent: unknown[] = [];
  return {
    sent,
    send: async (command: unknown) => {
      sent.push(command);
      if (command instanceof StartExecutionCommand) {
        if (behaviour === 'exists') throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
        if (behaviour === 'throttled')
          throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
        return { executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:${command.input.name}` };
      }
      return {};
    },
  };
}

afterEach(() => {
  delete process.env.WORKFLOW_USCC_VERIFICATION_ARN;
});

describe('Step Functions engine', () => {
  it('starts the machine named by WORKFLOW_<NAME>_ARN with the business execution name', async () => {
    process.env.WORKFLOW_USCC_VERIFICATION_ARN = ARN;
    const client = fakeClient('ok');
    const engine = await createSfnEngine(client as never);
    const out = await engine.start('uscc-verification', 'org-1', { orgId: '1' });
    expect(out).toEqual({
      executionId: `${ARN.replace(':stateMachine:', ':execution:')}:org-1`,
      alreadyStarted: false,
    });
    const command = client.sent[0] as StartExecutionCommand;
    expect(command.input).toEqual({ stateMachineArn: ARN, name: 'org-1', input: '{"orgId":"1"}' });
  });

  it('an existing execution of that name is reported as already started, in the ARN’s partition', async () => {
    process.env.WORKFLOW_USCC_VERIFICATION_ARN = ARN;
    const engine = await createSfnEngine(fakeClient('exists') as never);
    expect(await engine.start('uscc-verification', 'org-1', {})).toEqual({
      executionId: 'arn:aws-cn:states:cn-north-1:123456789012:execution:zs-uscc-verification:org-1',
      alreadyStarted: true,
    });
  });

  it('other errors propagate; a missing ARN is a configuration error', async () => {
    process.env.WORKFLOW_USCC_VERIFICATION_ARN = ARN;
    await expect(
      (await createSfnEngine(fakeClient('throttled') as never)).start('uscc-verification', 'x', {}),
    ).rejects.toThrow('slow down');
    delete process.env.WORKFLOW_USCC_VERIFICATION_ARN;
    await expect(
      (await createSfnEngine(fakeClient('ok') as never)).start('uscc-verification', 'x', {}),
    ).rejects.toThrow(/WORKFLOW_\*_ARN/);
  });

  it('completes and fails task tokens', async () => {
    const client = fakeClient('ok');
    const engine = await createSfnEngine(client as never);
    await engine.sendTaskSuccess('tok', { decision: 'verified' });
    await engine.sendTaskFailure('tok', 'Rejected', 'because');
    expect(client.sent[0]).toBeInstanceOf(SendTaskSuccessCommand);
    expect((client.sent[0] as SendTaskSuccessCommand).input).toEqual({
      taskToken: 'tok',
      output: '{"decision":"verified"}',
    });
    expect((client.sent[1] as SendTaskFailureCommand).input).toEqual({
      taskToken: 'tok',
      error: 'Rejected',
      cause: 'because',
    });
  });
});
