import type { Workflows } from '../core/ports.ts';

/**
 * The workflow engine port. In AWS it is Step Functions (StartExecution, SendTaskSuccess/Failure);
 * the local runtime installs its in-process engine with `setWorkflowEngine` before serving.
 * Execution names are derived from business ids, so a retried start cannot fork a second execution.
 */
export interface WorkflowEngine extends Workflows {
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
}

let installed: WorkflowEngine | undefined;
let factory: (() => Promise<WorkflowEngine>) | undefined;

/** Local runtime and tests: use this engine instead of Step Functions. */
export function setWorkflowEngine(engine: WorkflowEngine | undefined): void {
  installed = engine;
}

/** Registers how to build the default (AWS) engine lazily, so bundles that never start workflows skip the SFN client. */
export function setDefaultWorkflowEngineFactory(make: () => Promise<WorkflowEngine>): void {
  factory = make;
}

export async function workflowEngine(): Promise<WorkflowEngine> {
  if (installed) return installed;
  if (!factory)
    throw new Error('No workflow engine: import adapters/sfn-engine.ts or install a local engine');
  installed = await factory();
  return installed;
}
