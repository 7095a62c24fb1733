/**
 * End to end over HTTP: the API, the state machine (unchanged ASL) in the local runner, the handlers,
 * and the AWS sandbox — started in this process on free loopback ports with a fast clock.
 * Each seed troubleshooting case is produced from the world / role set-up alone (no mocks) and must
 * end in the right diagnosis through the API, with a Failed event where an execution ran.
 * The last test scans everything the runs produced for the sandbox's secrets.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterRecord, E2E } from './harness.js';

let e: E2E;

beforeAll(async () => {
  e = await E2E.start();
}, 120_000);

afterAll(async () => {
  await e?.stop();
});

/** Registers role B for a tenant (POST /v1/roles) and expects it to work. */
async function registered(tenant: string, roleName: string, o: { withoutActions?: RegExp } = {}): Promise<string> {
  const roleArn = await e.createRoleB({ name: roleName, tenant, ...o });
  const r = await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant);
  expect(r.status, r.text).toBe(200);
  expect(r.body).toMatchObject({ roleArn, region: 'us-east-1', accountId: '222222222222' });
  return roleArn;
}

/** Submits settings and follows the cluster to its end. */
async function provision(tenant: string, settings: Record<string, unknown>): Promise<ClusterRecord> {
  const r = await e.api('POST', '/v1/clusters', settings, tenant);
  expect(r.status, r.text).toBe(202);
  expect(r.body).toMatchObject({ status: 'CREATING' });
  expect(r.body.executionArn).toMatch(/^arn:aws:states:us-east-1:111111111111:execution:/);
  return e.follow(r.body.id, tenant);
}

async function expectFailedEvent(record: ClusterRecord, code: string): Promise<void> {
  const ev = await e.completionEvent(record.id);
  expect(ev, `no completion event for ${record.name}`).toBeDefined();
  expect(ev!.detailType).toBe('EKS Cluster Provisioning Failed');
  expect(ev!.detail).toMatchObject({ clusterId: record.id, name: record.name, status: 'FAILED' });
  expect(ev!.detail['diagnosis']?.code).toBe(code);
}

describe('local stack e2e', () => {
  it('happy path: role B as GET /v1/setup says → CREATED with outputs and a Succeeded event', async () => {
    const tenant = 'e2e-happy';
    const roleArn = await registered(tenant, 'eks-provisioner-happy');
    const form = await e.api(
      'GET',
      `/v1/aws/security-groups?roleArn=${encodeURIComponent(roleArn)}&vpcId=vpc-0a1b2c3d4e5f60001`,
      undefined,
      tenant,
    );
    expect(form.status, form.text).toBe(200);
    expect(form.body.items.map((i: { id: string }) => i.id)).toContain('sg-0a1b2c3d4e5f60021');

    const record = await provision(tenant, e.settings({ name: 'e2e-happy', provisionRoleArn: roleArn }));
    expect(record.status, JSON.stringify(record.diagnosis)).toBe('CREATED');
    expect(record.outputs?.['endpoint']).toMatch(/^https:\/\//);
    expect(record.outputs?.['certificateAuthorityData']).toBeTruthy();
    expect(record.outputs?.['kubernetesVersion']).toMatch(/^1\.\d+$/);
    expect(record.outputs?.['kubeconfig']).toContain(record.outputs?.['endpoint']);
    expect(record.progress?.total).toBeGreaterThan(0);
    expect(record.progress?.done).toBe(record.progress?.total);

    const ev = await e.completionEvent(record.id);
    expect(ev?.detailType).toBe('EKS Cluster Provisioning Succeeded');
    expect((await e.events(record.id)).map((x) => x.detailType)).toContain('EKS Cluster Provisioning Started');
    expect(ev?.detail).toMatchObject({
      clusterId: record.id,
      tenantId: tenant,
      name: 'e2e-happy',
      status: 'CREATED',
      accountId: '222222222222',
      region: 'us-east-1',
    });
    expect(ev?.detail['outputs']?.endpoint).toBe(record.outputs?.['endpoint']);

    const list = await e.api('GET', '/v1/clusters', undefined, tenant);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(record.id);
    // Tenants never see each other's records.
    const other = await e.api('GET', `/v1/clusters/${record.id}`, undefined, 'e2e-someone-else');
    expect(other.status).toBe(404);
  });

  it('Step Functions API over the wire (SDK → sandbox → runner): describe, history with every state, name idempotency', async () => {
    const list = await e.api('GET', '/v1/clusters', undefined, 'e2e-happy');
    const happy = list.body.items.find((c: { name: string }) => c.name === 'e2e-happy') as
      | { executionArn?: string }
      | undefined;
    const executionArn =
      happy?.executionArn ??
      (await e.api('GET', `/v1/clusters/${list.body.items[0].id}`, undefined, 'e2e-happy')).body.executionArn;
    expect(executionArn).toMatch(/:execution:/);
    const sfn = new SFNClient({ region: 'us-east-1', endpoint: e.sandboxUrl });
    try {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(d.status).toBe('SUCCEEDED');
      expect(d.startDate).toBeInstanceOf(Date);
      expect(d.stopDate!.getTime()).toBeGreaterThanOrEqual(d.startDate!.getTime());
      const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      const entered = (h.events ?? [])
        .filter((x) => x.type?.endsWith('StateEntered'))
        .map((x) => x.stateEnteredEventDetails?.name);
      for (const state of [
        'ValidateRequest',
        'RecordRequest',
        'AssumeProvisionRole',
        'DescribeVpcResources',
        'CreateClusterStack',
        'WaitForStack',
        'PollClusterStack',
        'FinalizeCluster',
        'RecordSucceeded',
        'NotifySucceeded',
      ]) {
        expect(entered, state).toContain(state);
      }
      const exited = (h.events ?? []).find(
        (x) => x.type === 'TaskStateExited' && x.stateExitedEventDetails?.name === 'FinalizeCluster',
      );
      expect(JSON.parse(exited!.stateExitedEventDetails!.output!)).toHaveProperty('completion');
      expect(h.events?.at(-1)?.type).toBe('ExecutionSucceeded');
      // Same name, other input: ExecutionAlreadyExists, as AWS answers.
      await expect(
        sfn.send(
          new StartExecutionCommand({
            stateMachineArn: e.stack.runner.stateMachineArn,
            name: executionArn.split(':').pop(),
            input: '{"other":true}',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    } finally {
      sfn.destroy();
    }
  });

  it('ASSUME_ROLE_DENIED: External ID in the trust relationship does not match', async () => {
    const tenant = 'e2e-extid';
    // As the seed's user with a typo: the trust policy carries another External ID.
    const wrongArn = await e.createRoleB({
      name: 'eks-provisioner-wrong-extid',
      tenant,
      externalId: 'not-the-external-id-from-setup',
    });
    const r = await e.api('POST', '/v1/roles', { roleArn: wrongArn, region: 'us-east-1' }, tenant);
    expect(r.status, r.text).toBe(422);
    expect(r.body.error.code).toBe('ASSUME_ROLE_DENIED');
    expect(JSON.stringify(r.body.error.remediation)).toMatch(/External ID/i);

    // A role that worked at registration and whose trust was changed later: the execution finds out.
    const roleArn = await registered(tenant, 'eks-provisioner-extid-later');
    await e.setTrustExternalId('eks-provisioner-extid-later', tenant, 'changed-after-registration');
    const record = await provision(tenant, e.settings({ name: 'e2e-extid', provisionRoleArn: roleArn }));
    expect(record.status).toBe('FAILED');
    expect(record.diagnosis?.code).toBe('ASSUME_ROLE_DENIED');
    await expectFailedEvent(record, 'ASSUME_ROLE_DENIED');
  });

  it('EXTERNAL_ID_NOT_REQUIRED: a role B that trusts the account without the External ID is refused at registration and at the start of a run', async () => {
    const open = (condition?: object) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'sts:AssumeRole',
          ...(condition ? { Condition: condition } : {}),
        },
      ],
    });
    // The confused deputy: two tenants try to register one role whose trust policy has no condition.
    const roleArn = await registered('e2e-deputy-owner', 'eks-provisioner-deputy');
    await e.setTrustPolicy('eks-provisioner-deputy', open());
    for (const tenant of ['e2e-deputy-owner', 'e2e-deputy-attacker']) {
      const setup = await e.api('GET', '/v1/setup', undefined, tenant);
      const r = await e.api('POST', '/v1/roles', { roleArn, region: 'us-east-1' }, tenant);
      expect(r.status, r.text).toBe(422);
      expect(r.body.error.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
      expect(r.body.error.remediation[0]).toContain(`"sts:ExternalId":"${setup.body.externalId}"`);
    }
    const attacker = await e.api(
      'POST',
      '/v1/clusters',
      e.settings({ name: 'e2e-deputy', provisionRoleArn: roleArn }),
      'e2e-deputy-attacker',
    );
    expect(attacker.status).toBe(422);
    expect(attacker.body.error.code).toBe('ROLE_NOT_REGISTERED');

    // Registered while correct, loosened to a pattern afterwards: the run stops at AssumeProvisionRole.
    // "<first character>*" admits one tenant in 16; a random wrong-ID probe would have missed it.
    const ownerXid = (await e.api('GET', '/v1/setup', undefined, 'e2e-deputy-owner')).body.externalId as string;
    await e.setTrustPolicy('eks-provisioner-deputy', open({ StringLike: { 'sts:ExternalId': `${ownerXid[0]}*` } }));
    const record = await provision('e2e-deputy-owner', e.settings({ name: 'e2e-deputy', provisionRoleArn: roleArn }));
    expect(record.status).toBe('FAILED');
    expect(record.diagnosis?.code).toBe('EXTERNAL_ID_NOT_REQUIRED');
    expect(record.phase).not.toMatch(/stack/i);
    await expectFailedEvent(record, 'EXTERNAL_ID_NOT_REQUIRED');
    // Nothing was done through the role in that run: its session only read the role's own trust policy.
    const calls = await e.http<{ calls: Array<{ callerArn?: string; operation: string }> }>(
      'GET',
      `${e.sandboxUrl}/_sandbox/calls`,
    );
    const bySession = calls.body.calls.filter((c) =>
      c.callerArn?.includes(`assumed-role/eks-provisioner-deputy/eks-provisioner-${record.id}`),
    );
    expect([...new Set(bySession.map((c) => c.operation))]).toEqual(['GetRole']);
  });

  it('SSH is never open to the world: keyName without securityGroupIds is refused; with them, port 22 only from those groups', async () => {
    const tenant = 'e2e-ssh';
    const roleArn = await registered(tenant, 'eks-provisioner-ssh');
    const r = await e.api(
      'POST',
      '/v1/clusters',
      e.settings({ name: 'e2e-ssh', provisionRoleArn: roleArn, keyName: 'demo-key', securityGroupIds: [] }),
      tenant,
    );
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.fields).toEqual([{ path: 'securityGroupIds', message: expect.stringContaining('0.0.0.0/0') }]);
    // The console path (Step Functions input, no API in front) is refused by ValidateRequest the same way.
    const sfn = new SFNClient({ region: 'us-east-1', endpoint: e.sandboxUrl });
    try {
      const cluster = e.settings({ name: 'e2e-ssh-console', provisionRoleArn: roleArn, keyName: 'demo-key' });
      delete cluster['securityGroupIds'];
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: e.stack.runner.stateMachineArn,
          name: 'e2e-ssh-console',
          input: JSON.stringify({ tenantId: tenant, cluster }),
        }),
      );
      let d;
      for (
        let i = 0;
        i < 200 &&
        (d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).status === 'RUNNING';
        i++
      )
        await new Promise((res) => setTimeout(res, 50));
      expect(d?.status).toBe('FAILED');
      expect(`${d?.error} ${d?.cause}`).toContain('securityGroupIds');
    } finally {
      sfn.destroy();
    }
    const record = await provision(
      tenant,
      e.settings({ name: 'e2e-ssh', provisionRoleArn: roleArn, keyName: 'demo-key' }),
    );
    expect(record.status).toBe('CREATED');
    const world = await e.http('GET', `${e.sandboxUrl}/_sandbox/world`);
    const ng = world.body.eksNodegroups.find((n: { clusterName: string }) => n.clusterName === 'e2e-ssh');
    const remote = world.body.securityGroups.find(
      (g: { groupId: string }) => g.groupId === ng.resources.remoteAccessSecurityGroup,
    );
    expect(remote.ingress).toEqual([
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, sourceGroupIds: e.settings({}).securityGroupIds },
    ]);
    // No security group anywhere in the account lets SSH in from the internet.
    const sshFromWorld = world.body.securityGroups.filter(
      (g: { ingress: Array<{ fromPort?: number; toPort?: number; cidrIps?: string[] }> }) =>
        g.ingress.some(
          (i) => (i.fromPort ?? 0) <= 22 && (i.toPort ?? 65535) >= 22 && (i.cidrIps ?? []).includes('0.0.0.0/0'),
        ),
    );
    expect(sshFromWorld).toEqual([]);
  });

  it('SECURITY_GROUPS_NOT_LOADED: role B may not ec2:DescribeSecurityGroups', async () => {
    const tenant = 'e2e-sg';
    const roleArn = await registered(tenant, 'eks-provisioner-no-sg', {
      withoutActions: /^ec2:DescribeSecurityGroups$/i,
    });
    const form = await e.api(
      'GET',
      `/v1/aws/security-groups?roleArn=${encodeURIComponent(roleArn)}&vpcId=vpc-0a1b2c3d4e5f60001`,
      undefined,
      tenant,
    );
    expect(form.status, form.text).toBe(422);
    expect(form.body.error.code).toBe('SECURITY_GROUPS_NOT_LOADED');

    const record = await provision(tenant, e.settings({ name: 'e2e-sg', provisionRoleArn: roleArn }));
    expect(record.status).toBe('FAILED');
    expect(record.diagnosis?.code).toBe('SECURITY_GROUPS_NOT_LOADED');
    await expectFailedEvent(record, 'SECURITY_GROUPS_NOT_LOADED');
  });

  it('KEY_PAIR_NOT_FOUND: the key pair does not exist in the chosen region', async () => {
    const tenant = 'e2e-key';
    const roleArn = await registered(tenant, 'eks-provisioner-key');
    const keys = await e.api(
      'GET',
      `/v1/aws/key-pairs?roleArn=${encodeURIComponent(roleArn)}&region=us-west-2`,
      undefined,
      tenant,
    );
    expect(keys.status, keys.text).toBe(200);
    expect(keys.body.items.map((k: { id: string }) => k.id)).not.toContain('demo-key');

    const record = await provision(
      tenant,
      e.settings({ name: 'e2e-key', provisionRoleArn: roleArn, keyName: 'prod-key' }),
    );
    expect(record.status).toBe('FAILED');
    expect(record.diagnosis?.code).toBe('KEY_PAIR_NOT_FOUND');
    expect(record.diagnosis?.message).toContain('prod-key');
    await expectFailedEvent(record, 'KEY_PAIR_NOT_FOUND');
  });

  it('CLUSTER_ROLE_MISSING_EKS_POLICY: role A without AmazonEKSClusterPolicy', async () => {
    const tenant = 'e2e-rolea';
    const roleArn = await registered(tenant, 'eks-provisioner-rolea');
    const record = await provision(
      tenant,
      e.settings({
        name: 'e2e-rolea',
        provisionRoleArn: roleArn,
        serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role-no-policy',
      }),
    );
    expect(record.status).toBe('FAILED');
    expect(record.diagnosis?.code).toBe('CLUSTER_ROLE_MISSING_EKS_POLICY');
    expect(JSON.stringify(record.diagnosis)).toMatch(/AmazonEKSClusterPolicy/);
    await expectFailedEvent(record, 'CLUSTER_ROLE_MISSING_EKS_POLICY');
  });

  it('onFailure ROLLBACK without the delete statement: refused at pre-flight (field error on onFailure), no stack made', async () => {
    const tenant = 'e2e-rollback';
    const roleArn = await registered(tenant, 'eks-provisioner-rollback');
    // Before the fix this run created the stack, the nodes failed, and every rollback delete was denied: ROLLBACK_FAILED with orphans.
    await e.setFlags({ nodesFailToJoin: true });
    let record: ClusterRecord;
    try {
      record = await provision(
        tenant,
        e.settings({ name: 'e2e-rollback', provisionRoleArn: roleArn, onFailure: 'ROLLBACK' }),
      );
    } finally {
      await e.setFlags({ nodesFailToJoin: false });
    }
    expect(record.status).toBe('FAILED');
    expect(record.diagnosis?.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(record.diagnosis)).toMatch(/onFailure/);
    expect(JSON.stringify(record.diagnosis)).toMatch(/provisionRoleDeleteStatement/);
    expect((record as ClusterRecord & { stackId?: string }).stackId).toBeUndefined();
    await expectFailedEvent(record, 'VALIDATION_FAILED');
  });

  it('INVALID_ROLE_ARN: refused at the API, nothing started', async () => {
    const tenant = 'e2e-arn';
    const before = (await e.events()).length;
    const bad = "arn:aws:iam::123456789012:role/gitlab-eks-provision'";
    const r = await e.api('POST', '/v1/roles', { roleArn: bad, region: 'us-east-1' }, tenant);
    expect([400, 422]).toContain(r.status);
    expect(r.body.error.code).toBe('INVALID_ROLE_ARN');

    const c = await e.api(
      'POST',
      '/v1/clusters',
      e.settings({ name: 'e2e-arn', provisionRoleArn: 'not-an-arn' }),
      tenant,
    );
    expect([400, 422]).toContain(c.status);
    expect(JSON.stringify(c.body.error)).toMatch(/provisionRoleArn/);
    expect((await e.events()).length).toBe(before);
  });

  it('throttling on the way (EventBridge, CloudFormation) is retried by the state machine and still ends CREATED', async () => {
    const tenant = 'e2e-faults';
    const roleArn = await registered(tenant, 'eks-provisioner-faults');
    // More failures than the SDK's own retries absorb, so the state machine's Retry has to act.
    const faults = [
      { service: 'events', operation: 'PutEvents', throttleRate: 1, times: 4 },
      { service: 'cloudformation', operation: 'DescribeStacks', throttleRate: 1, times: 3 },
      { service: 'cloudformation', operation: 'CreateStack', throttleRate: 1, times: 3 },
    ];
    const set = await e.http('PUT', `${e.sandboxUrl}/_sandbox/faults`, faults);
    expect(set.status, set.text).toBe(200);
    let record: ClusterRecord;
    try {
      record = await provision(tenant, e.settings({ name: 'e2e-faults', provisionRoleArn: roleArn }));
    } finally {
      await e.http('PUT', `${e.sandboxUrl}/_sandbox/faults`, []);
    }
    expect(record.status, JSON.stringify(record.diagnosis)).toBe('CREATED');
    const sfn = new SFNClient({ region: 'us-east-1', endpoint: e.sandboxUrl });
    const h = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn:
          record.executionArn ?? (await e.api('GET', `/v1/clusters/${record.id}`, undefined, tenant)).body.executionArn,
        maxResults: 1000,
      }),
    );
    sfn.destroy();
    const errors = (h.events ?? [])
      .map((x) => x.taskFailedEventDetails?.error ?? x.lambdaFunctionFailedEventDetails?.error)
      .filter(Boolean);
    expect(
      errors.some((x) => /^EventBridge\./.test(x!)),
      JSON.stringify(errors),
    ).toBe(true);
    expect(errors, JSON.stringify(errors)).toContain('AwsThrottled');
    // A throttled CreateStack is retried by the state machine (jittered back-off), not three times on the spot by the SDK.
    const createThrottled = (h.events ?? []).filter(
      (x) =>
        x.lambdaFunctionFailedEventDetails?.error === 'AwsThrottled' &&
        /CreateStack/.test(x.lambdaFunctionFailedEventDetails.cause ?? ''),
    );
    expect(createThrottled).toHaveLength(3);
  });

  it('no secret key or session token in any response, record, item, event or execution history', async () => {
    const world = e.stack.sandbox!.world.toJSON();
    const secrets = [
      ...world.users.flatMap((u) => u.accessKeys.map((k) => k.secretAccessKey)),
      ...world.stsSessions.flatMap((s) => [s.secretAccessKey, s.sessionToken]),
    ].filter((s) => s && s.length >= 16);
    // The runs above assumed role B many times: there must be sessions to look for.
    expect(world.stsSessions.length).toBeGreaterThan(5);

    const haystacks: Array<[string, string]> = e.seen.map((t, i) => [`response #${i}`, t]);
    for (const tenant of [
      'e2e-happy',
      'e2e-extid',
      'e2e-sg',
      'e2e-key',
      'e2e-rolea',
      'e2e-rollback',
      'e2e-arn',
      'e2e-faults',
    ]) {
      const list = await e.api('GET', '/v1/clusters', undefined, tenant);
      haystacks.push([`records of ${tenant}`, list.text]);
    }
    haystacks.push(['events', JSON.stringify(await e.events())]);
    const histories = await e.executionHistories();
    expect(histories.length).toBeGreaterThanOrEqual(6);
    haystacks.push(...histories.map((h, i): [string, string] => [`execution history #${i}`, h]));
    const ddb = new DynamoDBClient({ region: 'us-east-1', endpoint: e.sandboxUrl });
    const items = await ddb.send(new ScanCommand({ TableName: 'eks-provisioner' }));
    ddb.destroy();
    expect(items.Items?.length).toBeGreaterThan(0);
    haystacks.push(['DynamoDB items', JSON.stringify(items.Items)]);

    for (const [where, text] of haystacks) {
      for (const secret of secrets) {
        expect(text.includes(secret), `a secret (${secret.slice(0, 4)}…) appears in ${where}`).toBe(false);
      }
    }
  });
});
