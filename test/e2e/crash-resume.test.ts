/**
 * Our own process dies mid-provisioning (kill -9) and starts again on the same data directory
 * (`npm start -- --data-dir DIR`): the cluster still reaches CREATED, once — one stack, one Started
 * and one Succeeded event — and the tenant's External ID and the customer's roles are unchanged.
 * The same for a deletion: killed while the delete execution polls the stack, the restart hands the
 * DELETING record to a new delete execution, and the cluster ends DELETED once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORLD } from '../../local/runner/environment.js';

const CHILD = new URL('./fixtures/stack-process.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
/** A stack takes ~12 s of wall time at ×60: time enough to kill it while it is being polled. */
const TIME_SCALE = 60;

interface Started {
  child: ChildProcess;
  apiUrl: string;
  sandboxUrl: string;
  resumed: string[];
  resumedDeletions: string[];
}

function startStack(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(TIME_SCALE)], {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, ...(JSON.parse(line) as Omit<Started, 'child'>) }));
    child.once('exit', (code) => reject(new Error(`stack process exited (${code}) before it was ready: ${stderr}`)));
  });
}

async function http<T = any>(
  method: string,
  url: string,
  body?: unknown,
  tenant?: string,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(tenant ? { 'x-tenant-id': tenant } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kill -9 during polling, restart on the same data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eks-provisioner-data-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes the cluster to CREATED once, with the same External ID and roles', async () => {
    const tenant = 'crash-test';
    const first = await startStack(dataDir);
    children.push(first.child);
    const setup = await http('GET', `${first.apiUrl}/v1/setup`, undefined, tenant);
    expect(setup.status).toBe(200);
    const externalId = setup.body.externalId as string;

    const iam = new IAMClient({
      region: 'us-east-1',
      endpoint: first.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
      },
    });
    const roleName = 'eks-provisioner-crash';
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify(setup.body.provisionRoleTrustPolicy),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'provision',
        PolicyDocument: JSON.stringify(setup.body.provisionRolePolicy),
      }),
    );
    iam.destroy();
    const roleArn = `arn:aws:iam::${DEFAULT_WORLD.customer.accountId}:role/${roleName}`;
    expect((await http('POST', `${first.apiUrl}/v1/roles`, { roleArn, region: 'us-east-1' }, tenant)).status).toBe(200);

    const sample = JSON.parse(readFileSync(join(ROOT, 'events/create-cluster.json'), 'utf8')).cluster;
    const submitted = await http(
      'POST',
      `${first.apiUrl}/v1/clusters`,
      { ...sample, name: 'crash', provisionRoleArn: roleArn },
      tenant,
    );
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;

    // Wait until the stack exists and is being polled (some resources done, not all), then kill -9.
    for (let i = 0; ; i++) {
      const r = await http('GET', `${first.apiUrl}/v1/clusters/${id}`, undefined, tenant);
      if (r.body.stackId && r.body.progress?.done > 0) break;
      expect(r.body.status, JSON.stringify(r.body)).toBe('CREATING');
      if (i > 600) throw new Error(`the stack was never polled: ${JSON.stringify(r.body)}`);
      await sleep(50);
    }
    const before = (await http('GET', `${first.sandboxUrl}/_sandbox/world`)).body;
    const roleBefore = before.roles.find((r: { name: string }) => r.name === roleName);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startStack(dataDir);
    children.push(second.child);
    expect(second.resumed).toEqual([id]);
    expect(second.resumedDeletions).toEqual([]);
    let record: any;
    for (let i = 0; ; i++) {
      record = (await http('GET', `${second.apiUrl}/v1/clusters/${id}`, undefined, tenant)).body;
      if (record.status !== 'CREATING') break;
      if (i > 1200) throw new Error(`still CREATING after the restart: ${JSON.stringify(record)}`);
      await sleep(50);
    }
    expect(record.status, JSON.stringify(record.diagnosis)).toBe('CREATED');

    // Once: one stack of that name, one Started and one Succeeded event.
    const world = (await http('GET', `${second.sandboxUrl}/_sandbox/world`)).body;
    const stacks = world.services.cloudformation.stacks.filter(
      (s: { stackName: string }) => s.stackName === 'eks-provisioner-crash',
    );
    expect(stacks.map((s: { status: string }) => s.status)).toEqual(['CREATE_COMPLETE']);
    expect(world.eksClusters.filter((c: { name: string }) => c.name === 'crash')).toHaveLength(1);
    await sleep(300); // the completion event follows the record by one state
    const events = (
      await http('GET', `${second.sandboxUrl}/_sandbox/events?source=eks-provisioner`)
    ).body.events.filter((e: { detail: { clusterId?: string } }) => e.detail?.clusterId === id);
    expect(events.map((e: { detailType: string }) => e.detailType).sort()).toEqual([
      'EKS Cluster Provisioning Started',
      'EKS Cluster Provisioning Succeeded',
    ]);

    // Nothing regenerated: the External ID, role B as created.
    expect((await http('GET', `${second.apiUrl}/v1/setup`, undefined, tenant)).body.externalId).toBe(externalId);
    expect(world.roles.find((r: { name: string }) => r.name === roleName)).toEqual(roleBefore);
    expect(
      (await http('GET', `${second.apiUrl}/v1/clusters`, undefined, tenant)).body.items.map(
        (c: { id: string }) => c.id,
      ),
    ).toEqual([id]);
  }, 180_000);
});

describe('kill -9 during deletion polling, restart on the same data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eks-provisioner-data-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes the deletion to DELETED once: one new delete execution, the stack gone, one Deletion Succeeded event', async () => {
    const tenant = 'crash-delete';
    const first = await startStack(dataDir);
    children.push(first.child);
    const setup = await http('GET', `${first.apiUrl}/v1/setup`, undefined, tenant);
    expect(setup.status).toBe(200);
    const iam = new IAMClient({
      region: 'us-east-1',
      endpoint: first.sandboxUrl,
      credentials: {
        accessKeyId: DEFAULT_WORLD.customer.accessKeyId,
        secretAccessKey: DEFAULT_WORLD.customer.secretAccessKey,
      },
    });
    const roleName = 'eks-provisioner-crash-del';
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify(setup.body.provisionRoleTrustPolicy),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'provision',
        PolicyDocument: JSON.stringify(setup.body.provisionRolePolicy),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'eks-provisioner-delete',
        PolicyDocument: JSON.stringify(setup.body.provisionRoleDeleteStatement),
      }),
    );
    iam.destroy();
    const roleArn = `arn:aws:iam::${DEFAULT_WORLD.customer.accountId}:role/${roleName}`;
    expect((await http('POST', `${first.apiUrl}/v1/roles`, { roleArn, region: 'us-east-1' }, tenant)).status).toBe(200);

    const sample = JSON.parse(readFileSync(join(ROOT, 'events/create-cluster.json'), 'utf8')).cluster;
    const submitted = await http(
      'POST',
      `${first.apiUrl}/v1/clusters`,
      { ...sample, name: 'crash-del', provisionRoleArn: roleArn },
      tenant,
    );
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    let record: any;
    for (let i = 0; ; i++) {
      record = (await http('GET', `${first.apiUrl}/v1/clusters/${id}`, undefined, tenant)).body;
      if (record.status !== 'CREATING') break;
      if (i > 1200) throw new Error(`still CREATING: ${JSON.stringify(record)}`);
      await sleep(50);
    }
    expect(record.status, JSON.stringify(record.diagnosis)).toBe('CREATED');
    const stackId = record.stackId as string;

    const del = await http('DELETE', `${first.apiUrl}/v1/clusters/${id}`, undefined, tenant);
    expect(del.status, JSON.stringify(del.body)).toBe(202);
    const firstExecution = del.body.executionArn as string;
    // Wait until the delete execution has looked at the stack at least once (its phase on the record), then kill -9.
    for (let i = 0; ; i++) {
      const r = (await http('GET', `${first.apiUrl}/v1/clusters/${id}`, undefined, tenant)).body;
      expect(r.status, JSON.stringify(r)).toBe('DELETING');
      if (r.phase && r.phase !== 'Starting deletion') break;
      if (i > 600) throw new Error(`the deletion was never polled: ${JSON.stringify(r)}`);
      await sleep(50);
    }
    const during = (await http('GET', `${first.sandboxUrl}/_sandbox/world`)).body;
    expect(during.services.cloudformation.stacks.find((s: { stackId: string }) => s.stackId === stackId).status).toBe(
      'DELETE_IN_PROGRESS',
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startStack(dataDir);
    children.push(second.child);
    expect(second.resumed).toEqual([]);
    expect(second.resumedDeletions).toEqual([id]);
    for (let i = 0; ; i++) {
      record = (await http('GET', `${second.apiUrl}/v1/clusters/${id}`, undefined, tenant)).body;
      if (record.status !== 'DELETING') break;
      if (i > 1200) throw new Error(`still DELETING after the restart: ${JSON.stringify(record)}`);
      await sleep(50);
    }
    expect(record.status, JSON.stringify(record.diagnosis)).toBe('DELETED');

    // Once: the stack gone (by id DELETE_COMPLETE), the EKS cluster gone, one Deletion Succeeded event and no other deletion event.
    const world = (await http('GET', `${second.sandboxUrl}/_sandbox/world`)).body;
    expect(
      world.services.cloudformation.stacks
        .filter((s: { stackName: string }) => s.stackName === 'eks-provisioner-crash-del')
        .map((s: { status: string }) => s.status),
    ).toEqual(['DELETE_COMPLETE']);
    expect(world.eksClusters.filter((c: { name: string }) => c.name === 'crash-del')).toHaveLength(0);
    await sleep(300); // the event follows the record by two states
    const events = (
      await http('GET', `${second.sandboxUrl}/_sandbox/events?source=eks-provisioner`)
    ).body.events.filter((e: { detail: { clusterId?: string } }) => e.detail?.clusterId === id);
    const deletion = events.filter((e: { detailType: string }) => /^EKS Cluster Deletion/.test(e.detailType));
    expect(deletion.map((e: { detailType: string }) => e.detailType)).toEqual(['EKS Cluster Deletion Succeeded']);
    expect(deletion[0].detail.executionArn).not.toBe(firstExecution);
    expect(deletion[0].detail.executionArn).toMatch(
      new RegExp(`:execution:eks-provisioner-delete-cluster:${id}-delete-`),
    );
    // The name is free again: the claim went with the deletion.
    const again = await http(
      'POST',
      `${second.apiUrl}/v1/clusters`,
      { ...sample, name: 'crash-del', provisionRoleArn: roleArn },
      tenant,
    );
    expect(again.status, JSON.stringify(again.body)).toBe(202);
  }, 240_000);
});
