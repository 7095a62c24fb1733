/**
 * The execution timeout is in the definition Step Functions gets (the synthesized template's
 * DefinitionString), for every allowed cap — not only in the construct's props, which CDK ignores
 * for a file definition.
 */
import { describe, expect, it } from 'vitest';
import { EXECUTION_TIMEOUT_MARGIN_SECONDS, PROVISIONING_SECONDS_BOUNDS } from '../../functions/lib/polling/budget.js';
import { withExecutionTimeout } from '../../infra/asl.js';
import { resourcesOf, synthService } from './synth.js';

const deployedDefinition = (context: Record<string, unknown>) => {
  const { json } = synthService(context);
  const [[, sm]] = resourcesOf(json, 'AWS::StepFunctions::StateMachine') as [[string, any]];
  expect(sm.Properties.DefinitionS3Location, 'inline definition, readable in the template').toBeUndefined();
  return JSON.parse(sm.Properties.DefinitionString as string) as { TimeoutSeconds?: number; StartAt: string };
};

describe('execution TimeoutSeconds in the deployed definition', () => {
  it.each([PROVISIONING_SECONDS_BOUNDS.max, 7200])(
    'maxProvisioningSeconds %i → TimeoutSeconds = cap + margin',
    (cap) => {
      const def = deployedDefinition({ maxProvisioningSeconds: cap });
      expect(def.TimeoutSeconds).toBe(cap + EXECUTION_TIMEOUT_MARGIN_SECONDS);
      expect(def.StartAt).toBe('ValidateRequest');
    },
    60_000,
  );

  it('refuses a timeout Step Functions would refuse', () => {
    expect(() => withExecutionTimeout({}, 0)).toThrow(/whole number of seconds/);
    expect(() => withExecutionTimeout({}, 1.5)).toThrow(/whole number of seconds/);
  });
});

describe('runs that end without their Catch', () => {
  it("a rule on the default bus sends the three state machines' FAILED / TIMED_OUT / ABORTED status changes to record-ended-execution", () => {
    const { json } = synthService();
    const rules = resourcesOf(json, 'AWS::Events::Rule');
    const [[, rule]] = rules.filter(([id]) => id.includes('EndedExecutionsRule')) as [[string, any]];
    expect(rule.Properties.EventBusName).toBeUndefined(); // the default bus, where Step Functions reports
    const [[smId]] = resourcesOf(json, 'AWS::StepFunctions::StateMachine').filter(([id]) =>
      id.startsWith('Provisioning'),
    ) as [[string, any]];
    const [[deleteSmId]] = resourcesOf(json, 'AWS::StepFunctions::StateMachine').filter(([id]) =>
      id.startsWith('Deletion'),
    ) as [[string, any]];
    const [[updateSmId]] = resourcesOf(json, 'AWS::StepFunctions::StateMachine').filter(([id]) =>
      id.startsWith('Updating'),
    ) as [[string, any]];
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: [{ Ref: smId }, { Ref: deleteSmId }, { Ref: updateSmId }],
      },
    });
    const target = rule.Properties.Targets[0];
    expect(target.Arn['Fn::GetAtt'][0]).toMatch(/^RecordEndedExecutionFn/);
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    // EventBridge may invoke it from this rule only (the other events permission is the reconciler's schedule).
    const invoke = resourcesOf(json, 'AWS::Lambda::Permission').filter(
      ([, p]) =>
        p.Properties.Principal === 'events.amazonaws.com' &&
        JSON.stringify(p.Properties.FunctionName).includes('RecordEndedExecutionFn'),
    );
    expect(invoke).toHaveLength(1);
    expect(invoke[0]![1].Properties.SourceArn['Fn::GetAtt'][0]).toMatch(/EndedExecutionsRule/);
    // The function may publish the Failed event on the service's bus (and nothing else on events).
    const statements = resourcesOf(json, 'AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement as any[],
    );
    const publish = statements.find((s) => s.Sid === 'PublishFailedEvent');
    expect(publish).toMatchObject({
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EventBus/), 'Arn'] },
    });
  }, 60_000);
});
