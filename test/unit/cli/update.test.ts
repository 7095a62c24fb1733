/**
 * `eks-provisioner update` against the real API handler (in-memory store, Step Functions mocked): the
 * plan without --approve changes nothing; --approve sends If-Match and follows the record's update to
 * its end (exit 0 / 1 with the diagnosis).
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type ApiClient, ApiError } from '../../../cli/api-client.js';
import { patchFromOptions, type UpdateOptions, updateCluster, updateStatusLines } from '../../../cli/update.js';
import { parseClusterSettings } from '../../../functions/lib/schema/cluster-settings.js';
import { clusterRecord } from '../../support/cluster-record.js';
import { makeTestApi, validSettings } from '../api/helpers.js';

const out: string[] = [];
vi.mock('../../../cli/terminal.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../cli/terminal.js')>()),
  say: (t = '') => void out.push(t),
  warn: (t = '') => void out.push(t),
  raw: () => undefined,
}));

const sfn = mockClient(SFNClient);
// Role B cannot be assumed here: the dry run's pre-flight says it did not run (offline test).
const sts = mockClient(STSClient);
const ID = 'c-cli-upd';

function setup() {
  const api = makeTestApi();
  const parsed = parseClusterSettings(validSettings({ kubernetesVersion: '1.32' }), {
    roleNamePrefix: 'eks-provisioner-',
  });
  if (!parsed.ok) throw new Error('settings');
  api.store.clusters.set(
    `local|${ID}`,
    clusterRecord(ID, '2026-11-29T10:00:00.000Z', {
      status: 'CREATED',
      phase: 'Cluster ready',
      settings: parsed.settings,
      stackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/eks-provisioner-demo/1',
    }),
  );
  const sent: Array<{ method: string; path: string; headers: Record<string, string> }> = [];
  // The CLI's client shape over the real handler.
  const client: Pick<ApiClient, 'get' | 'patch'> = {
    async get<T>(path: string) {
      const r = await api.call({ method: 'GET', path, tenant: 'local' });
      if (r.statusCode >= 400) throw new ApiError(r.statusCode, r.body, `GET ${path}`);
      return r.body as T;
    },
    async patch<T>(full: string, body: unknown, headers: Record<string, string> = {}) {
      const [path, q] = full.split('?');
      const query = Object.fromEntries(new URLSearchParams(q ?? ''));
      sent.push({ method: 'PATCH', path: full, headers });
      const r = await api.call({
        method: 'PATCH',
        path: path!,
        tenant: 'local',
        body,
        query,
        headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v])),
      });
      if (r.statusCode >= 400) throw new ApiError(r.statusCode, r.body, `PATCH ${full}`);
      return { status: r.statusCode, body: r.body as T };
    },
  };
  return { api, client, sent };
}

const opts = (o: Partial<UpdateOptions>): UpdateOptions => ({ approve: false, force: false, follow: true, ...o });

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((i: { name: string; stateMachineArn: string }) => ({
    executionArn: `${i.stateMachineArn.replace(':stateMachine:', ':execution:')}:${i.name}`,
    startDate: new Date(),
  }));
  out.length = 0;
  sts.reset();
  sts.on(AssumeRoleCommand).rejects(
    Object.assign(new Error('offline'), {
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    }),
  );
});

describe('eks-provisioner update', () => {
  it('maps the options to a merge patch', () => {
    expect(
      patchFromOptions(opts({ version: '1.33', nodes: 3, supportType: 'extended', admin: ['arn:aws:iam::1:role/a'] })),
    ).toEqual({
      kubernetesVersion: '1.33',
      nodeCount: 3,
      upgradePolicy: 'EXTENDED',
      adminPrincipalArns: ['arn:aws:iam::1:role/a'],
    });
  });

  it('without --approve: prints the plan, changes nothing, exit 0', async () => {
    const { client, api, sent } = setup();
    const code = await updateCluster(ID, opts({ version: '1.33' }), client);
    expect(code, out.join('\n')).toBe(0);
    expect(sent.map((s) => s.path)).toEqual([`/v1/clusters/${ID}?dryRun=true`]);
    expect(out.join('\n')).toMatch(/1\. \[control-plane\] Upgrade the control plane from Kubernetes 1\.32 to 1\.33/);
    // A version upgrade runs in two stages: the plan says which step is in which.
    expect(out.join('\n')).toMatch(
      /Stage 1 of 2: Control plane to Kubernetes 1\.33\n {2}1\. \[control-plane\][\s\S]*Stage 2 of 2: Node group to Kubernetes 1\.33 and add-ons\n {2}2\. \[node-group\]/,
    );
    expect(out.join('\n')).toMatch(/--approve/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(api.store.clusters.get(`local|${ID}`)!.update).toBeUndefined();
  });

  it('--approve: If-Match on the version read, follows the update to SUCCEEDED (exit 0) or FAILED (exit 1)', async () => {
    for (const end of ['SUCCEEDED', 'FAILED'] as const) {
      const { client, api, sent } = setup();
      const record = () => api.store.clusters.get(`local|${ID}`)!;
      // The run's steps, as the update machine would write them, a few looks after the start.
      let looks = 0;
      const get = client.get.bind(client);
      client.get = (async <T>(path: string) => {
        if (record().update && ++looks === 3) {
          Object.assign(
            record().update!,
            end === 'SUCCEEDED'
              ? { status: 'SUCCEEDED', phase: 'Update complete' }
              : {
                  status: 'FAILED',
                  phase: 'rolled back',
                  diagnosis: {
                    code: 'UPDATE_ROLLED_BACK',
                    title: 'rolled back',
                    message: 'as before',
                    remediation: ['fix'],
                    retryable: true,
                  },
                },
          );
        }
        return get<T>(path);
      }) as typeof client.get;
      const code = await updateCluster(ID, opts({ nodes: 3, approve: true }), client);
      expect(code).toBe(end === 'SUCCEEDED' ? 0 : 1);
      expect(sent[1]).toMatchObject({ path: `/v1/clusters/${ID}`, headers: { 'if-match': '"1"' } });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
      sfn.resetHistory();
    }
  }, 20_000);

  it('a pre-flight refusal in the plan: printed, exit 1, nothing applied even with --approve', async () => {
    const patches: string[] = [];
    const client: Pick<ApiClient, 'get' | 'patch'> = {
      get: (async () => ({ id: ID, name: 'demo', status: 'CREATED', version: 4 })) as ApiClient['get'],
      patch: (async (path: string) => {
        patches.push(path);
        return {
          status: 200,
          body: {
            changed: true,
            plan: {
              steps: [{ component: 'node-group', action: 'Scale the node group from 2 to 3 node(s)' }],
              nodesReplaced: false,
              changes: [{ field: 'nodeCount', from: 2, to: 3 }],
            },
            preflight: {
              checked: true,
              ok: false,
              diagnosis: {
                code: 'CLUSTER_DRIFTED',
                title: 'The cluster was changed outside the service',
                message: 'node group ng has 5 desired nodes, the stack says 2',
                remediation: ['Decide which is right.'],
              },
            },
          },
        };
      }) as ApiClient['patch'],
    };
    expect(await updateCluster(ID, opts({ nodes: 3, approve: true }), client)).toBe(1);
    expect(patches).toEqual([`/v1/clusters/${ID}?dryRun=true`]);
    expect(out.join('\n')).toMatch(/Pre-flight: CLUSTER_DRIFTED[\s\S]*5 desired nodes[\s\S]*Nothing was changed/);
  });

  it('a change the cluster already has: nothing to change, exit 0, no run', async () => {
    const { client } = setup();
    expect(await updateCluster(ID, opts({ nodes: 2, approve: true }), client)).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('status shows a running update like creation progress', () => {
    const lines = updateStatusLines({
      id: ID,
      name: 'demo',
      status: 'CREATED',
      update: {
        status: 'RUNNING',
        phase: 'Updating the control plane',
        from: { kubernetesVersion: '1.32' },
        to: { kubernetesVersion: '1.33' },
        startedAt: 'x',
        resources: { done: 1, total: 4 },
        executionArn: 'arn',
      },
    });
    expect(lines[0]).toMatch(
      /UPDATING kubernetesVersion "1\.32" → "1\.33": Updating the control plane \(1\/4 resources\)/,
    );
  });
});
