import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag `AwsSolutions-IAM5` finding for a resource wildcard (never an action
 * wildcard) on `target`, e.g. `<bucket ARN>/incoming/*`.
 *
 * cdk-nag 3 names the finding after the resolved resource (`Resource::<Logical.Arn>/*`); a reference
 * to another stack only resolves to its import during synthesis, so the id is computed in a
 * validation hook, which runs after references are resolved and before the nag packs.
 */
export function acknowledgeResourceWildcard(target: IConstruct, resource: string, reason: string): void {
  target.node.addValidation({
    validate: () => {
      const flat = flattenCfnReference(Stack.of(target).resolve(resource));
      if (flat.includes('*'))
        Validations.of(target).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
      return [];
    },
  });
}

/** Acknowledges an `AwsSolutions-IAM5` finding for an action wildcard such as `xray:Put*`-style grants made by CDK. */
export function acknowledgeActionWildcard(target: IConstruct, action: string, reason: string): void {
  Validations.of(target).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
}
