/**
 * The API's resource policy (infra/api-resource-policy.ts): what the stack attaches, the context options
 * that narrow it, and that the synthesized document is the one the local IAM-authorization mode evaluates.
 */
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiResourcePolicy } from '../../infra/api-resource-policy.js';
import { readSettings } from '../../infra/settings.js';
import { resourcesOf, type Synthesized, synthService } from './synth.js';

const settingsOf = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

describe('apiResourcePolicy', () => {
  it('default: any other account may invoke the /v1 routes; the own account is left to identity policies', () => {
    const doc = apiResourcePolicy({ serviceAccountId: '111111111111', stageName: 'prod' });
    expect(doc.Statement).toEqual([
      {
        Sid: 'CustomerAccountsInvoke',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/prod/*/v1/*',
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } },
      },
      {
        Sid: 'CorsPreflights',
        Effect: 'Allow',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/prod/OPTIONS/*',
      },
    ]);
  });

  it('apiAllowedAccounts / apiAllowedOrgId replace "any account" with exactly those', () => {
    const doc = apiResourcePolicy({
      serviceAccountId: '1',
      stageName: 'prod',
      allowedAccounts: ['222222222222'],
      allowedOrgId: 'o-abcdefghij',
    });
    expect(doc.Statement.map((s) => s.Sid)).toEqual([
      'AllowedAccountsInvoke',
      'AllowedOrganizationInvoke',
      'CorsPreflights',
    ]);
    expect(doc.Statement[0]!.Principal).toEqual({ AWS: '222222222222' });
    expect(doc.Statement[1]!.Condition).toEqual({
      StringNotEquals: { 'aws:PrincipalAccount': '1' },
      StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' },
    });
  });
});

describe('settings', () => {
  it('apiAllowedAccounts from -c (comma-separated) or cdk.json (array); apiAllowedOrgId', () => {
    expect(settingsOf({}).apiAllowedAccounts).toEqual([]);
    expect(settingsOf({ apiAllowedAccounts: '222222222222, 333333333333' }).apiAllowedAccounts).toEqual([
      '222222222222',
      '333333333333',
    ]);
    expect(settingsOf({ apiAllowedAccounts: ['222222222222', '222222222222'] }).apiAllowedAccounts).toEqual([
      '222222222222',
    ]);
    expect(settingsOf({ apiAllowedOrgId: 'o-a1b2c3d4e5' }).apiAllowedOrgId).toBe('o-a1b2c3d4e5');
  });

  it('refuses values that would not mean what the operator wrote, naming the option and the fix', () => {
    expect(() => settingsOf({ apiAllowedAccounts: '2222' })).toThrow(/apiAllowedAccounts.*12-digit/);
    expect(() => settingsOf({ apiAllowedAccounts: 'arn:aws:iam::222222222222:root' })).toThrow(/apiAllowedAccounts/);
    expect(() => settingsOf({ apiAllowedOrgId: 'r-abcd' })).toThrow(/apiAllowedOrgId.*o-/);
  });
});

describe('synthesized REST API', () => {
  let s: Synthesized;
  let restricted: Synthesized;
  beforeAll(() => {
    s = synthService();
    restricted = synthService({ apiAllowedAccounts: '222222222222', apiAllowedOrgId: 'o-a1b2c3d4e5' });
  });

  const policyOf = (x: Synthesized) => {
    const apis = resourcesOf(x.json, 'AWS::ApiGateway::RestApi');
    expect(apis).toHaveLength(1);
    return apis[0]![1].Properties.Policy;
  };

  it('carries exactly the document apiResourcePolicy builds (the one the local IAM mode evaluates)', () => {
    expect(policyOf(s)).toEqual(
      apiResourcePolicy({ serviceAccountId: { Ref: 'AWS::AccountId' } as unknown as string, stageName: 'prod' }),
    );
  });

  it('with apiAllowedAccounts and apiAllowedOrgId: those only', () => {
    expect(policyOf(restricted)).toEqual(
      apiResourcePolicy({
        serviceAccountId: { Ref: 'AWS::AccountId' } as unknown as string,
        stageName: 'prod',
        allowedAccounts: ['222222222222'],
        allowedOrgId: 'o-a1b2c3d4e5',
      }),
    );
  });
});
