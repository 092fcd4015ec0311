import type { WorkflowEngine } from '../../functions/adapters/workflow-engine.ts';

/** A WorkflowEngine that records every call (API tests; the local engine is tested elsewhere). */
export class RecordingWorkflowEngine implements WorkflowEngine {
  readonly started: Array<{ workflow: string; executionName: string; input: Record<string, unknown> }> = [];
  readonly successes: Array<{ taskToken: string; output: Record<string, unknown> }> = [];
  readonly failures: Array<{ taskToken: string; error: string; cause: string }> = [];

  async start(workflow: string, executionName: string, input: Record<string, unknown>) {
    const alreadyStarted = this.started.some(
      (s) => s.workflow === workflow && s.executionName === executionName,
    );
    if (!alreadyStarted) this.started.push({ workflow, executionName, input });
    return { executionId: `local:${workflow}:${executionName}`, alreadyStarted };
  }

  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>) {
    this.successes.push({ taskToken, output });
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string) {
    this.failures.push({ taskToken, error, cause });
  }
}
