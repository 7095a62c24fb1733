/**
 * The execution timeout is in the definition Step Functions gets (the synthesized template's
 * DefinitionString), for every allowed cap — not only in the construct's props, which CDK ignores
 * for a file definition.
 */
import { describe, expect, it } from 'vitest';
import { withExecutionTimeout } from '../../infra/asl.js';
import { EXECUTION_TIMEOUT_MARGIN_SECONDS, PROVISIONING_SECONDS_BOUNDS } from '../../functions/lib/polling/budget.js';
import { resourcesOf, synthService } from './synth.js';

const deployedDefinition = (context: Record<string, unknown>) => {
  const { json } = synthService(context);
  const [[, sm]] = resourcesOf(json, 'AWS::StepFunctions::StateMachine') as [[string, any]];
  expect(sm.Properties.DefinitionS3Location, 'inline definition, readable in the template').toBeUndefined();
  return JSON.parse(sm.Properties.DefinitionString as string) as { TimeoutSeconds?: number; StartAt: string };
};

describe('execution TimeoutSeconds in the deployed definition', () => {
  it.each([PROVISIONING_SECONDS_BOUNDS.max, 7200])('maxProvisioningSeconds %i → TimeoutSeconds = cap + margin', (cap) => {
    const def = deployedDefinition({ maxProvisioningSeconds: cap });
    expect(def.TimeoutSeconds).toBe(cap + EXECUTION_TIMEOUT_MARGIN_SECONDS);
    expect(def.StartAt).toBe('ValidateRequest');
  }, 60_000);

  it('refuses a timeout Step Functions would refuse', () => {
    expect(() => withExecutionTimeout({}, 0)).toThrow(/whole number of seconds/);
    expect(() => withExecutionTimeout({}, 1.5)).toThrow(/whole number of seconds/);
  });
});
