/**
 * The console's runtime configuration (console/src/api/config.ts): no config.json = local mode on the
 * page's origin; the AWS contract { apiUrl, region, userPoolId, userPoolClientId, identityPoolId } is
 * checked field by field with messages that name the field.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig, parseAwsConfig } from '../../../console/src/api/config.js';

const GOOD = {
  apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbCdEf123',
  userPoolClientId: '1example23456789',
  identityPoolId: 'eu-west-1:0a1b2c3d-1111-2222-3333-444455556666',
};

const answer = (status: number, body: string): typeof fetch =>
  (async () => new Response(body, { status, headers: { 'content-type': 'application/json' } })) as typeof fetch;

describe('console config.json', () => {
  it('404 → local mode against the page origin', async () => {
    expect(await loadConfig('http://127.0.0.1:3000', answer(404, 'Not found'))).toEqual({
      mode: 'local',
      apiUrl: 'http://127.0.0.1:3000',
    });
  });

  it('{ "mode": "local" } (the local stack\'s config.json) → local mode against the page origin', async () => {
    expect(await loadConfig('http://127.0.0.1:3000', answer(200, '{"mode":"local"}'))).toEqual({
      mode: 'local',
      apiUrl: 'http://127.0.0.1:3000',
    });
  });

  it('the deployed contract → AWS mode with exactly those fields', async () => {
    expect(
      await loadConfig('https://d111.cloudfront.net', answer(200, JSON.stringify({ ...GOOD, extra: 'ignored' }))),
    ).toEqual({ mode: 'aws', ...GOOD });
  });

  it('names the field that is wrong', () => {
    for (const k of Object.keys(GOOD)) {
      expect(() => parseAwsConfig({ ...GOOD, [k]: undefined })).toThrow(`"${k}" is missing`);
    }
    expect(() => parseAwsConfig({ ...GOOD, apiUrl: 'http://insecure.example' })).toThrow(
      /"apiUrl" must be the API's https/,
    );
    expect(() => parseAwsConfig({ ...GOOD, region: 'Ireland' })).toThrow(/"region" must be an AWS region/);
    expect(() => parseAwsConfig({ ...GOOD, userPoolId: 'us-east-1_X' })).toThrow(
      /"userPoolId" must look like eu-west-1_/,
    );
    expect(() => parseAwsConfig({ ...GOOD, identityPoolId: 'nope' })).toThrow(/"identityPoolId"/);
    expect(() => parseAwsConfig('x')).toThrow(/JSON object/);
  });

  it('a broken config.json stops with a message instead of falling back to local mode', async () => {
    await expect(loadConfig('https://d111.cloudfront.net', answer(200, '{not json'))).rejects.toThrow(
      '/config.json is not valid JSON.',
    );
    await expect(loadConfig('https://d111.cloudfront.net', answer(403, ''))).rejects.toThrow(/403/);
  });
});
