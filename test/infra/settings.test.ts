/**
 * Deploy-time options: validation of each context value (fast, no synth) and one synth with every
 * option changed from its default, checked for the effect of each and still cdk-nag clean.
 */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions.js';
import { CONTEXT_DEFAULTS, readSettings } from '../../infra/settings.js';
import { resourcesOf, type Synthesized, synthService } from './synth.js';

const settingsOf = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

describe('readSettings', () => {
  it('defaults: own bus, eks-provisioner- prefix, retained data, AWS managed key', () => {
    const s = settingsOf({});
    expect(s.eventBusName).toBeUndefined();
    expect(s.rolePrefix).toBe('eks-provisioner-');
    expect(s.stackName).toBe(CONTEXT_DEFAULTS.stackName);
    expect(s.tableEncryption).toBe('aws-managed');
    expect(s.removalPolicy).toBe('retain');
    expect(s.apiCloudWatchRole).toBe(true);
    expect(s.allowServiceAccountRoles).toBe(false);
  });

  it('accepts command-line strings for numbers and booleans', () => {
    const s = settingsOf({ apiRateLimit: '20', apiCloudWatchRole: 'false', logRetentionDays: '365' });
    expect(s.apiRateLimit).toBe(20);
    expect(s.apiCloudWatchRole).toBe(false);
    expect(s.logRetentionDays).toBe(365);
  });

  it.each([
    [{ rolePrefix: '' }, null],
    [{ rolePrefix: 'a*' }, /rolePrefix.*3–40 characters/],
    [{ rolePrefix: 'x' }, /rolePrefix/],
    [{ removalPolicy: 'snapshot' }, /removalPolicy.*retain, destroy/],
    [{ logRetentionDays: 45 }, /logRetentionDays.*periods/],
    [{ apiRateLimit: 0 }, /apiRateLimit.*1 to 10000/],
    [{ apiCloudWatchRole: 'yes' }, /apiCloudWatchRole.*true or false/],
    [{ eventBusName: 'arn:aws:events:us-east-1:111111111111:event-bus/x' }, /eventBusName.*not the ARN/],
    [{ webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/x/1' }, /REGIONAL/],
    [{ alarmTopicArn: 'my-topic' }, /alarmTopicArn.*SNS/],
    [{ tableEncryption: 'none' }, /tableEncryption/],
    [{ stackName: '1stack' }, /stackName/],
    [{ console: 'no' }, /"console".*true or false/],
    [{ consoleMfa: 'sms' }, /consoleMfa.*off, optional, required/],
    [{ consoleSelfSignUp: 1 }, /consoleSelfSignUp.*true or false/],
  ])('rejects %j naming the option and the fix', (context, message) => {
    if (message === null) {
      // An empty prefix falls back to the default rather than "any role".
      expect(settingsOf(context).rolePrefix).toBe('eks-provisioner-');
      return;
    }
    expect(() => settingsOf(context)).toThrow(message);
    expect(() => settingsOf(context)).toThrow(/-c .*=\.\.\. or in cdk\.json/);
  });
});

describe('every option changed', () => {
  const topic = 'arn:aws:sns:us-east-1:111111111111:ops-alarms';
  const webAcl = 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/api/abc';
  let s: Synthesized;
  beforeAll(() => {
    s = synthService({
      stackName: 'eks-prov-test',
      eventBusName: 'default',
      rolePrefix: 'acme-prov-',
      removalPolicy: 'destroy',
      tableEncryption: 'customer-managed',
      logRetentionDays: 30,
      apiCloudWatchRole: false,
      webAclArn: webAcl,
      alarmTopicArn: topic,
      allowServiceAccountRoles: true,
      allowDelete: true,
      consoleMfa: 'required',
      consoleSelfSignUp: true,
      apiReservedConcurrency: 0,
      apiAllowedAccounts: '222222222222',
    });
  });

  it('api function without reserved concurrency when apiReservedConcurrency=0', () => {
    const apiFn = resourcesOf(s.json, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('ApiFn'));
    expect(apiFn).toHaveLength(1);
    expect(apiFn[0]![1].Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('console sign-in: MFA required for everyone, users may sign up themselves', () => {
    const [[, pool]] = resourcesOf(s.json, 'AWS::Cognito::UserPool') as [[string, any]];
    expect(pool.Properties.MfaConfiguration).toBe('ON');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(false);
    expect(pool.DeletionPolicy).toBe('Delete');
  });

  it('uses an existing bus instead of creating one', () => {
    s.template.resourceCountIs('AWS::Events::EventBus', 0);
    // PutEvents to a missing bus succeeds and drops the event: a rule on the bus makes the deployment
    // itself fail when the bus does not exist.
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'default',
      EventPattern: { source: ['eks-provisioner'] },
    });
    const sm = resourcesOf(s.json, 'AWS::StepFunctions::StateMachine')[0]![1].Properties;
    expect(sm.DefinitionSubstitutions.EventBusName).toBe('default');
    const ours = resourcesOf(s.json, 'AWS::Lambda::Function').filter(
      ([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    expect(ours.length).toBeGreaterThan(0);
    for (const [, fn] of ours) {
      expect(fn.Properties.Environment.Variables.EVENT_BUS_NAME).toBe('default');
      expect(fn.Properties.Environment.Variables.PROVISION_POLICY_ALLOW_DELETE).toBe('true');
      expect(fn.Properties.Environment.Variables.ROLE_NAME_PREFIX).toBe('acme-prov-');
    }
  });

  it('encrypts the table with a rotated customer managed key the readers may use', () => {
    s.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const [[keyId]] = resourcesOf(s.json, 'AWS::KMS::Key') as [[string, unknown]];
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
    // Every role that touches the table (each function, each state machine with DynamoDB tasks) may use the key.
    const kmsPolicies = resourcesOf(s.json, 'AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties.PolicyDocument.Statement as any[]).some(
        (st) => [st.Action].flat().includes('kms:Decrypt') && JSON.stringify(st.Resource).includes(keyId),
      ),
    );
    const tableWriters = resourcesOf(s.json, 'AWS::IAM::Policy').filter(([, p]) =>
      (p.Properties.PolicyDocument.Statement as any[]).some((st) =>
        [st.Action].flat().some((a: string) => /^dynamodb:(PutItem|UpdateItem|GetItem|DeleteItem|Query)$/.test(a)),
      ),
    );
    // The update machine has no DynamoDB task (its function writes the record): no key grant it would not use.
    expect(kmsPolicies.length).toBe(tableWriters.length);
    expect(kmsPolicies.length).toBeGreaterThanOrEqual(FUNCTIONS.length + 2);
  });

  it('lets data go with the stack when asked (destroy) and keeps log retention', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtectionEnabled: false },
    });
    for (const [, lg] of resourcesOf(s.json, 'AWS::Logs::LogGroup')) {
      expect(lg.DeletionPolicy).toBe('Delete');
      expect(lg.Properties.RetentionInDays).toBe(30);
    }
  });

  it('assumes roles with the configured prefix, in the service account too when allowed', () => {
    const text = JSON.stringify(resourcesOf(s.json, 'AWS::IAM::Policy'));
    expect(text).toContain(':iam::*:role/acme-prov-*');
    expect(text).not.toContain('eks-provisioner-*');
    expect(text).not.toContain('NoRolesInServiceAccount');
  });

  it('associates the WAF web ACL, skips the account CloudWatch role, notifies the alarm topic', () => {
    s.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: webAcl });
    s.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const alarms = resourcesOf(s.json, 'AWS::CloudWatch::Alarm');
    // Errors per function, API 5XX, failed / timed out / throttled per state machine, the status-change DLQ and the support check's DLQ.
    const stateMachines = resourcesOf(s.json, 'AWS::StepFunctions::StateMachine').length;
    expect(alarms.length).toBe(FUNCTIONS.length + 1 + 3 * stateMachines + 2);
    for (const [, a] of alarms) {
      expect(a.Properties.AlarmActions).toEqual([topic]);
      expect(a.Properties.OKActions).toEqual([topic]);
    }
  });

  it('is still cdk-nag clean (APIG3 is met by the web ACL, not acknowledged)', () => {
    const result = new AwsSolutionsChecks(undefined, {}).validateScope(s.app);
    expect(
      result.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(JSON.stringify(s.json)).not.toContain('AwsSolutions-APIG3');
    expect(s.messages.filter((m) => m.level !== 'info')).toEqual([]);
  });
});
