import { annualEvaluationWorkflow } from './annual-evaluation.ts';
import { reviewWorkflow } from './review.ts';
import type { WorkflowDef } from './types.ts';
import { usccVerificationWorkflow } from './uscc-verification.ts';

/** Every state machine of the system: the CDK stack deploys each, the local runtime runs each. */
export const workflows: readonly WorkflowDef[] = [
  usccVerificationWorkflow,
  reviewWorkflow,
  annualEvaluationWorkflow,
];

export const workflowByName = (name: string): WorkflowDef => {
  const found = workflows.find((w) => w.name === name);
  if (!found) throw new Error(`Unknown workflow ${name}`);
  return found;
};
