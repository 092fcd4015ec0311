import type { WorkflowCallSubject, Workflows } from '../core/ports.ts';
import { durableWorkflowEngine } from './durable-workflows.ts';

/**
 * The workflow engine port. In AWS it is Step Functions (StartExecution, SendTaskSuccess/Failure);
 * the local runtime installs its in-process engine with `setWorkflowEngine` before serving.
 * Execution names are derived from business ids, so a retried start cannot fork a second execution.
 */
export interface WorkflowEngine extends Workflows {
  sendTaskFailure(
    taskToken: string,
    error: string,
    cause: string,
    about?: WorkflowCallSubject,
  ): Promise<void>;
}

let installed: WorkflowEngine | undefined;
let factory: (() => Promise<WorkflowEngine>) | undefined;
const durable = new WeakMap<WorkflowEngine, WorkflowEngine>();

/** Local runtime and tests: use this engine instead of Step Functions. */
export function setWorkflowEngine(engine: WorkflowEngine | undefined): void {
  installed = engine;
}

/** Registers how to build the default (AWS) engine lazily, so bundles that never start workflows skip the SFN client. */
export function setDefaultWorkflowEngineFactory(make: () => Promise<WorkflowEngine>): void {
  factory = make;
}

/** The engine itself, without the retry of failed calls: what the deadline job repeats a deferred call on. */
export async function rawWorkflowEngine(): Promise<WorkflowEngine> {
  if (installed) return installed;
  if (!factory)
    throw new Error('No workflow engine: import adapters/sfn-engine.ts or install a local engine');
  installed = await factory();
  return installed;
}

/**
 * The engine every function uses (API, workflow tasks, deadline job): a call that fails with a retryable
 * error after the caller committed its decision is recorded and retried by the deadline job
 * (`core/workflow-retries.ts`), then rethrown so the caller still logs it.
 */
export async function workflowEngine(): Promise<WorkflowEngine> {
  const engine = await rawWorkflowEngine();
  let wrapped = durable.get(engine);
  if (!wrapped) {
    wrapped = durableWorkflowEngine(engine);
    durable.set(engine, wrapped);
  }
  return wrapped;
}
