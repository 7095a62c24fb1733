/**
 * Naming the PodDisruptionBudget that blocked a node roll: the matcher (lib/kubernetes/disruption.ts),
 * the update diagnosis that uses it (update-cluster/complete.ts withBlockingBudgets), and the access
 * role B needs (a cluster-wide list: cluster scope, as Kubernetes RBAC wants a ClusterRoleBinding).
 */
import { describe, expect, it } from 'vitest';
import { makeDiagnosis } from '../../../functions/lib/diagnosis/catalog.js';
import { KubeError } from '../../../functions/lib/kubernetes/client.js';
import {
  type BudgetSummary,
  blockingBudgets,
  type DisruptionReader,
  describeBudget,
  findBlockingBudgets,
  type PodSummary,
  selectorMatches,
} from '../../../functions/lib/kubernetes/disruption.js';
import type { UpdateRun } from '../../../functions/lib/update/run.js';
import { withBlockingBudgets } from '../../../functions/update-cluster/complete.js';
import { isAllowed, type KubeUser } from '../../../local/sandbox/kubernetes/authz.js';

const budget = (over: Partial<BudgetSummary> & Pick<BudgetSummary, 'namespace' | 'name'>): BudgetSummary => ({
  minAvailable: 1,
  selector: { matchLabels: { app: over.name.replace(/-pdb$/, '') } },
  disruptionsAllowed: 0,
  currentHealthy: 1,
  desiredHealthy: 1,
  expectedPods: 1,
  ...over,
});
const pod = (
  namespace: string,
  name: string,
  labels: Record<string, string>,
  nodeName = 'ip-10-0-1-10.ec2.internal',
): PodSummary => ({ namespace, name, nodeName, labels });

describe('selectorMatches', () => {
  it('matchLabels and every matchExpressions operator, all terms must hold', () => {
    const labels = { app: 'checkout', tier: 'web' };
    expect(selectorMatches({ matchLabels: { app: 'checkout' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'cart' } }, labels)).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, labels),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(
      false,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, labels)).toBe(false);
    expect(
      selectorMatches(
        { matchLabels: { app: 'checkout' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['api'] }] },
        labels,
      ),
    ).toBe(false);
  });

  it('policy/v1: an empty selector selects every pod of the namespace, a missing one none', () => {
    expect(selectorMatches({}, { anything: 'x' })).toBe(true);
    expect(selectorMatches(undefined, { anything: 'x' })).toBe(false);
  });
});

describe('blockingBudgets', () => {
  const checkout = budget({ namespace: 'default', name: 'checkout-pdb' });
  const other = budget({ namespace: 'shop', name: 'cart-pdb' });
  const relaxed = budget({ namespace: 'default', name: 'search-pdb', disruptionsAllowed: 1, currentHealthy: 2 });

  it('only budgets allowing no disruption that select a pod on the nodes, in the pod’s own namespace', () => {
    const pods = [
      pod('default', 'checkout-1', { app: 'checkout' }),
      pod('default', 'search-1', { app: 'search' }),
      pod('default', 'cart-1', { app: 'cart' }),
    ];
    expect(blockingBudgets([checkout, other, relaxed], pods)).toEqual({ budgets: [checkout], matchedToPods: true });
  });

  it('pods not known, or none selected: every budget allowing no disruption, said as such', () => {
    expect(blockingBudgets([checkout, other, relaxed], undefined)).toEqual({
      budgets: [checkout, other],
      matchedToPods: false,
    });
    expect(blockingBudgets([checkout, other], [pod('default', 'x', { app: 'x' })])).toEqual({
      budgets: [checkout, other],
      matchedToPods: false,
    });
  });

  it('describes a budget with its rule and counts', () => {
    expect(describeBudget(checkout)).toBe(
      'default/checkout-pdb (minAvailable 1; 1 healthy of 1 expected, 1 needed; 0 disruptions allowed)',
    );
    expect(
      describeBudget(
        budget({
          namespace: 'a',
          name: 'b',
          minAvailable: undefined,
          maxUnavailable: '0%',
          currentHealthy: 3,
          desiredHealthy: 3,
          expectedPods: 3,
        }),
      ),
    ).toBe('a/b (maxUnavailable 0%; 3 healthy of 3 expected, 3 needed; 0 disruptions allowed)');
  });
});

function reader(over: Partial<DisruptionReader> = {}): DisruptionReader & { nodesAskedFor: string[] } {
  const nodesAskedFor: string[] = [];
  return {
    nodesAskedFor,
    listPodDisruptionBudgets: async () => [
      budget({ namespace: 'default', name: 'checkout-pdb' }),
      budget({ namespace: 'kube-system', name: 'coredns', selector: { matchLabels: { 'k8s-app': 'kube-dns' } } }),
    ],
    listNodegroupNodes: async (ng) => {
      nodesAskedFor.push(ng);
      return ['ip-10-0-1-10.ec2.internal'];
    },
    listPodsOnNode: async (node) => [pod('default', 'checkout-1', { app: 'checkout' }, node)],
    ...over,
  };
}

describe('findBlockingBudgets', () => {
  it('looks at the pods on the node group’s nodes', async () => {
    const r = reader();
    const found = await findBlockingBudgets(r, 'Nodegroup-abc');
    expect(r.nodesAskedFor).toEqual(['Nodegroup-abc']);
    expect(found).toMatchObject({ matchedToPods: true, budgets: [{ namespace: 'default', name: 'checkout-pdb' }] });
  });

  it('the pods cannot be listed: every budget allowing no disruption', async () => {
    const found = await findBlockingBudgets(
      reader({
        listPodsOnNode: async () => Promise.reject(new KubeError('forbidden', 'pods is forbidden', 'list pods', 403)),
      }),
      'Nodegroup-abc',
    );
    expect(found.matchedToPods).toBe(false);
    expect(found.budgets.map((b) => b.name)).toEqual(['checkout-pdb', 'coredns']);
  });
});

describe('the update diagnosis names the budget', () => {
  const run = { preflight: { nodegroupName: 'Nodegroup-abc' } } as unknown as UpdateRun;
  const eksWords =
    'Resource handler returned message: "[ErrorDetail(ErrorCode=PodEvictionFailure, ErrorMessage=Reached max retries while trying to evict pods from nodes in node group Nodegroup-abc, ResourceIds=[ip-10-0-1-10.ec2.internal])]"';
  const blocked = makeDiagnosis(
    'NODEGROUP_UPDATE_BLOCKED_BY_PDB',
    { stackName: 'eks-provisioner-demo', region: 'us-east-1', reason: eksWords },
    {
      failedResource: {
        logicalId: 'Nodegroup',
        type: 'AWS::EKS::Nodegroup',
        status: 'UPDATE_FAILED',
        reason: eksWords,
      },
    },
  );

  it('names namespace/name, the rule and the counts; points at that budget; never says delete it', async () => {
    const d = await withBlockingBudgets(blocked, run, async () => reader());
    expect(d.code).toBe('NODEGROUP_UPDATE_BLOCKED_BY_PDB');
    expect(d.message).toContain(
      'select pods on its nodes and allow no disruption: default/checkout-pdb (minAvailable 1; 1 healthy of 1 expected, 1 needed; 0 disruptions allowed)',
    );
    expect(d.message).toContain('Reached max retries');
    expect(d.message).not.toContain('coredns');
    expect(d.remediation[0]).toBe(
      'Look at the budget: kubectl get pdb checkout-pdb -n default -o yaml — ALLOWED DISRUPTIONS 0 blocks every eviction.',
    );
    expect(d.remediation.join(' ')).not.toMatch(/delete/i);
    expect(d.failedResource?.logicalId).toBe('Nodegroup');
    expect(d.evidence).toMatchObject({
      nodegroupName: 'Nodegroup-abc',
      pdb: 'checkout-pdb',
      namespace: 'default',
      budgetsMatched: 'true',
    });
  });

  it('listing denied: says so and keeps EKS’s text', async () => {
    const denied = async () =>
      reader({
        listPodDisruptionBudgets: async () =>
          Promise.reject(
            new KubeError(
              'forbidden',
              'poddisruptionbudgets.policy is forbidden: User "x" cannot list resource "poddisruptionbudgets" in API group "policy" at the cluster scope',
              'list pod disruption budgets',
              403,
            ),
          ),
      });
    const d = await withBlockingBudgets(blocked, run, denied);
    expect(d.message).toMatch(
      /could not be listed to name the one that blocks \(no access: poddisruptionbudgets\.policy is forbidden/,
    );
    expect(d.message).toContain('Reached max retries');
    expect(d.remediation[0]).toMatch(/kubectl get pdb -A/);
  });

  it('the cluster unreachable (no token, private endpoint): says so too', async () => {
    const d = await withBlockingBudgets(blocked, run, async () =>
      Promise.reject(new KubeError('unreachable', 'the API server endpoint is private', 'describe cluster')),
    );
    expect(d.message).toMatch(/could not be listed .*\(unreachable: the API server endpoint is private\)/);
  });

  it('inside a failed rollback: the cause is named; other diagnoses are left alone', async () => {
    const rollback = makeDiagnosis(
      'UPDATE_ROLLBACK_FAILED',
      { stackName: 'eks-provisioner-demo', region: 'us-east-1' },
      { cause: blocked },
    );
    const d = await withBlockingBudgets(rollback, run, async () => reader());
    expect(d.code).toBe('UPDATE_ROLLBACK_FAILED');
    expect(d.cause?.message).toContain('default/checkout-pdb');
    const other = makeDiagnosis('UPDATE_ROLLED_BACK', { stackName: 'eks-provisioner-demo' });
    let asked = false;
    expect(
      await withBlockingBudgets(other, run, async () => {
        asked = true;
        return reader();
      }),
    ).toBe(other);
    expect(asked).toBe(false);
  });
});

describe('role B’s access to list budgets cluster-wide (sandbox RBAC, as EKS maps access policies)', () => {
  const user = (policy: string, scope: { type: 'cluster' | 'namespace'; namespaces?: string[] }): KubeUser =>
    ({
      username: 'u',
      groups: [],
      entry: {
        accessPolicies: [{ policyArn: `arn:aws:eks::aws:cluster-access-policy/${policy}`, accessScope: scope }],
      },
    }) as unknown as KubeUser;
  const listAll = { verb: 'list', resource: 'poddisruptionbudgets', group: 'policy', clusterScoped: false };

  it('cluster-admin at cluster scope (the creator, role B) may list them in every namespace', () => {
    expect(isAllowed(user('AmazonEKSClusterAdminPolicy', { type: 'cluster' }), listAll)).toBe(true);
  });

  it('a namespace-scoped policy may list them in its namespaces only, never cluster-wide', () => {
    const admin = user('AmazonEKSAdminPolicy', { type: 'namespace', namespaces: ['default'] });
    expect(isAllowed(admin, listAll)).toBe(false);
    expect(isAllowed(admin, { ...listAll, namespace: 'default' })).toBe(true);
    expect(
      isAllowed(user('AmazonEKSClusterAdminPolicy', { type: 'namespace', namespaces: ['default'] }), listAll),
    ).toBe(false);
  });
});
