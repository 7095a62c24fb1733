/**
 * The AWS CLI v1 (botocore: a second, independent client) pointed at a local endpoint, for tests
 * that check the local stack answers as AWS does. Tests skip with a message when `aws` is absent.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * `aws …` against `endpoint` with only these keys (no profile, config file or pager of this
 * machine), parsed as JSON; a command with no output answers `{}`.
 */
export function awsCli(endpoint: () => string, keys: { accessKeyId: string; secretAccessKey: string }) {
  return async (...args: string[]): Promise<any> => {
    const { stdout } = await run('aws', ['--endpoint-url', endpoint(), '--output', 'json', ...args], {
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
      },
      timeout: 60_000,
    });
    return stdout.trim() ? JSON.parse(stdout) : {};
  };
}
