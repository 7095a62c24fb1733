/** Tenant ids from IAM principals, and the error → HTTP mapping (no 5xx for what a client sends). */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../../functions/api/http/errors.js';
import { isJsonMediaType } from '../../../functions/api/http/request.js';
import {
  LOCAL_TENANT_PATTERN,
  requesterPrincipalArn,
  tenantFromPrincipalArn,
} from '../../../functions/api/tenant/resolve-tenant.js';
import { makeDiagnosis } from '../../../functions/lib/diagnosis/catalog.js';
import { AwsThrottledError, AwsTransientError, DiagnosedError } from '../../../functions/lib/errors.js';
import { makeTestApi, seedRole, silentLog, validSettings } from './helpers.js';

describe('tenantFromPrincipalArn', () => {
  it.each([
    ['arn:aws:sts::123456789012:assumed-role/platform/session-1', 'arn:aws:sts::123456789012:assumed-role/platform'],
    [
      'arn:aws:sts::123456789012:assumed-role/platform/other@example.com',
      'arn:aws:sts::123456789012:assumed-role/platform',
    ],
    ['arn:aws-us-gov:sts::123456789012:assumed-role/ci/1', 'arn:aws-us-gov:sts::123456789012:assumed-role/ci'],
    ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:user/alice'],
    ['arn:aws:iam::123456789012:user/team/alice', 'arn:aws:iam::123456789012:user/team/alice'],
    ['arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:root'],
    ['arn:aws:sts::123456789012:federated-user/bob', 'arn:aws:sts::123456789012:federated-user/bob'],
  ])('%s → %s', (arn, tenant) => {
    expect(tenantFromPrincipalArn(arn)).toBe(tenant);
  });

  it.each([
    '',
    'anonymous',
    'arn:aws:iam::x',
    'arn:aws:s3:::bucket',
    'arn:aws:sts::123456789012:assumed-role/only-role',
    'arn:aws:iam::123456789012:group/admins',
  ])('refuses %j', (arn) => {
    expect(tenantFromPrincipalArn(arn)).toBeUndefined();
  });

  it('local tenant ids cannot contain the key separator', () => {
    expect(LOCAL_TENANT_PATTERN.test('team-a')).toBe(true);
    expect(LOCAL_TENANT_PATTERN.test('arn:aws:iam::123456789012:user/alice')).toBe(true);
    expect(LOCAL_TENANT_PATTERN.test('a#b')).toBe(false);
  });
});

describe('requesterPrincipalArn (who GET /v1/setup proposes as cluster administrator)', () => {
  it.each([
    ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:user/alice'],
    ['arn:aws:iam::123456789012:role/ops/admin', 'arn:aws:iam::123456789012:role/ops/admin'],
    ['arn:aws:sts::123456789012:assumed-role/platform', 'arn:aws:iam::123456789012:role/platform'],
    ['arn:aws-cn:sts::123456789012:assumed-role/ci', 'arn:aws-cn:iam::123456789012:role/ci'],
  ])('%s → %s', (tenant, arn) => {
    expect(requesterPrincipalArn(tenant)).toBe(arn);
  });

  it.each([
    'local',
    'eu-west-1:0a1b2c3d-1111-2222-3333-444455556666',
    'arn:aws:iam::123456789012:root',
    'arn:aws:sts::123456789012:federated-user/bob',
  ])('none for %j', (tenant) => {
    expect(requesterPrincipalArn(tenant)).toBeUndefined();
  });
});

describe('toHttpError', () => {
  it('maps diagnoses and retryable errors', () => {
    expect(toHttpError(new DiagnosedError(makeDiagnosis('NAME_ALREADY_IN_USE'))).statusCode).toBe(409);
    expect(toHttpError(new DiagnosedError(makeDiagnosis('VALIDATION_FAILED'))).statusCode).toBe(400);
    expect(toHttpError(new DiagnosedError(makeDiagnosis('ASSUME_ROLE_DENIED'))).statusCode).toBe(422);
    expect(toHttpError(new DiagnosedError(makeDiagnosis('CREDENTIALS_NOT_CONFIGURED'))).statusCode).toBe(503);
    expect(toHttpError(new AwsThrottledError('x')).statusCode).toBe(429);
    expect(toHttpError(new AwsTransientError('x')).statusCode).toBe(503);
    const ddbThrottle = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(toHttpError(ddbThrottle).statusCode).toBe(429);
  });

  it('anything else is a 500 that says nothing about the internals', () => {
    const e = toHttpError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(e.statusCode).toBe(500);
    expect(JSON.stringify(e.body)).not.toContain('properties');
  });

  it('media types', () => {
    expect(isJsonMediaType('application/json')).toBe(true);
    expect(isJsonMediaType('Application/JSON; Charset=UTF-8')).toBe(true);
    expect(isJsonMediaType('application/json; charset=utf-16')).toBe(false);
    expect(isJsonMediaType('text/json')).toBe(false);
  });
});

describe('logs', () => {
  it('one line per request, no bodies, no headers', async () => {
    const sfn = mockClient(SFNClient);
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:x', startDate: new Date() });
    const api = makeTestApi();
    await seedRole(api.store, 'team-a');
    silentLog.lines.length = 0;
    await api.call({
      method: 'POST',
      path: '/v1/clusters',
      body: validSettings({ name: 'log-probe-name', tags: { secretish: 'do-not-log-me' } }),
      tenant: 'team-a',
      headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/x' },
    });
    expect(silentLog.lines).toHaveLength(1);
    const text = JSON.stringify(silentLog.lines);
    expect(text).not.toContain('do-not-log-me');
    expect(text).not.toContain('AKIA');
    expect(silentLog.lines[0]).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/v1/clusters',
      statusCode: 202,
      tenantId: 'team-a',
    });
    sfn.restore();
  });
});
