/**
 * The `eks-provisioner` command as a user runs it (a child process), against a local stack started in
 * this process: exit codes and messages for CREATED, FAILED, refused input and an API that is not running.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';
import { E2E } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'cli/eks-provisioner.mjs');

function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

let e: E2E;
let dir: string;
const tenant = 'e2e-cli';

beforeAll(async () => {
  e = await E2E.start();
  dir = mkdtempSync(join(tmpdir(), 'eks-provisioner-cli-'));
}, 120_000);

afterAll(async () => {
  await e?.stop();
});

// Each case starts the real command line several times (a Node process with tsx): slow on a busy machine.
describe('eks-provisioner command', { timeout: 120_000 }, () => {
  it('says plainly when the API is not running (exit 2)', async () => {
    // A port nobody listens on: bind one, then close it.
    const server = createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((res) => server.close(() => res()));
    const r = await cli(['status', 'some-id', '--api', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The eks-provisioner API is not running at http://127.0.0.1:${port}`);
    expect(r.stderr).toContain('npm start');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('setup prints the Account ID, External ID and policies; policy prints pasteable JSON', async () => {
    const s = await cli(['setup', '--json', '--api', e.stack.apiUrl!, '--tenant', tenant]);
    expect(s.code, s.stderr).toBe(0);
    const setup = JSON.parse(s.stdout);
    expect(setup.accountId).toBe('111111111111');
    expect(setup.externalId).toMatch(/^[0-9a-f]{32,}$/);
    const p = await cli(['policy', '--trust', '--api', e.stack.apiUrl!, '--tenant', tenant]);
    expect(JSON.parse(p.stdout)).toEqual(setup.provisionRoleTrustPolicy);
  });

  it('provision follows to CREATED (exit 0) and to FAILED with the diagnosis (exit 1); bad input exits 2', async () => {
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-cli', tenant });
    expect((await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant)).status).toBe(200);

    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ cluster: e.settings({ name: 'e2e-cli', provisionRoleArn: roleArn }) }));
    const ok = await cli(['provision', good, '--api', e.stack.apiUrl!, '--tenant', tenant]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/CREATED e2e-cli: endpoint https:\/\//);

    const bad = await cli(
      ['provision', '-', '--api', e.stack.apiUrl!, '--tenant', tenant],
      JSON.stringify(e.settings({ name: 'e2e-cli-key', provisionRoleArn: roleArn, keyName: 'nope-key' })),
    );
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toContain('KEY_PAIR_NOT_FOUND');
    expect(bad.stdout).toContain('Fix:');

    const again = await cli(['provision', good, '--api', e.stack.apiUrl!, '--tenant', tenant]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('NAME_ALREADY_IN_USE');

    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{ nope');
    const nj = await cli(['provision', notJson, '--api', e.stack.apiUrl!]);
    expect(nj.code).toBe(2);
    expect(nj.stderr).toContain('is not JSON');
  });

  it('delete: exit 3 with the manual commands when role B may not delete; with the delete statement it follows to DELETED (exit 0)', async () => {
    const t = 'e2e-cli-delete';
    const roleArn = await e.createRoleB({ name: 'eks-provisioner-cli-del', tenant: t });
    expect((await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, t)).status).toBe(200);
    const sub = await e.api('POST', '/v1/clusters', e.settings({ name: 'e2e-cli-del', provisionRoleArn: roleArn }), t);
    const created = await e.follow(sub.body.id, t);
    expect(created.status).toBe('CREATED');

    const denied = await cli(['delete', created.id, '--api', e.stack.apiUrl!, '--tenant', t]);
    expect(denied.code, denied.stdout + denied.stderr).toBe(3);
    expect(denied.stderr).toContain('DELETE_NOT_PERMITTED');
    expect(denied.stderr).toContain(
      'aws cloudformation delete-stack --stack-name arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-e2e-cli-del/',
    );

    const setup = await e.api('GET', '/v1/setup', undefined, t);
    const iam = new IAMClient({
      region: 'us-east-1',
      endpoint: e.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
      },
    });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'eks-provisioner-cli-del',
        PolicyName: 'eks-provisioner-delete',
        PolicyDocument: JSON.stringify(setup.body.provisionRoleDeleteStatement),
      }),
    );
    iam.destroy();
    const ok = await cli(['delete', created.id, '--api', e.stack.apiUrl!, '--tenant', t]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('DELETED e2e-cli-del');
  });
});
