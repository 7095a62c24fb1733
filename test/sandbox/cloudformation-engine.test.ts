/**
 * CloudFormation engine of the sandbox, driven through its service operations with an injected clock:
 * lifecycle, events wording and order, failures AWS reports, rollback with the caller's permissions.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../local/sandbox/cloudformation/engine/clock.js';
import { createCloudFormationService } from '../../local/sandbox/cloudformation/service.js';
import { type RequestContext, SandboxAwsError } from '../../local/sandbox/protocol/types.js';
import type { World } from '../../local/sandbox/world/world.js';
import {
  addRoleBSession,
  CREATE_ONLY,
  CUSTOMER_ACCOUNT_ID,
  ctxFor,
  DELETE_TOO,
  DEMO,
  eksParameters,
  eksTemplate,
  newWorld,
} from './cloudformation-fixtures.js';

type Events = {
  LogicalResourceId: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  Timestamp: string;
  ResourceType: string;
  PhysicalResourceId: string;
  EventId: string;
}[];

function setup(mutate?: (w: World) => void) {
  const clock = new ManualClock();
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const cfn = createCloudFormationService({ clock, random });
  const world = newWorld(mutate);
  const call = async (op: string, input: Record<string, unknown>, ctx: RequestContext = ctxFor(world)) =>
    (await cfn.operations[op]!(ctx, input)) as Record<string, any>;
  const stack = async (name: string, ctx?: RequestContext) =>
    (await call('DescribeStacks', { StackName: name }, ctx)).Stacks[0];
  /** All events, oldest first. */
  const events = async (name: string, ctx?: RequestContext): Promise<Events> => {
    const out: Events = [];
    let token: string | undefined;
    do {
      const page = await call('DescribeStackEvents', { StackName: name, ...(token ? { NextToken: token } : {}) }, ctx);
      out.push(...page.StackEvents);
      token = page.NextToken;
    } while (token);
    return out.reverse();
  };
  return { clock, world, cfn, call, stack, events };
}

function createInput(overrides: Record<string, unknown> = {}, params: Record<string, string> = {}) {
  return {
    StackName: 'demo-stack',
    TemplateBody: JSON.stringify(eksTemplate()),
    Parameters: eksParameters(params),
    Capabilities: ['CAPABILITY_IAM'],
    Tags: [{ Key: 'eks-provisioner:cluster-id', Value: 'c-1' }],
    ...overrides,
  };
}

const line = (e: Events[number]) =>
  `${e.LogicalResourceId} ${e.ResourceStatus}${e.ResourceStatusReason ? ` ${e.ResourceStatusReason}` : ''}`;

async function expectAwsError(p: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxAwsError);
  expect((err as SandboxAwsError).code).toBe(code);
  if (typeof message === 'string') expect((err as SandboxAwsError).message).toBe(message);
  else expect((err as SandboxAwsError).message).toMatch(message);
}

describe('CloudFormation engine: a full EKS stack', () => {
  it('creates in dependency order, in parallel where it can, with AWS durations and event wording', async () => {
    const t = setup();
    const start = t.clock.now();
    const { StackId } = await t.call('CreateStack', createInput());
    expect(StackId).toMatch(/^arn:aws:cloudformation:us-east-1:222222222222:stack\/demo-stack\/[0-9a-f-]{36}$/);
    expect((await t.stack('demo-stack')).StackStatus).toBe('CREATE_IN_PROGRESS');

    await t.clock.runAll();
    const s = await t.stack('demo-stack');
    expect(s.StackStatus).toBe('CREATE_COMPLETE');
    const elapsedMin = (t.clock.now() - start) / 60_000;
    // role ‖ control plane (~9 min) → vpc-cni/kube-proxy (~1) → node group (~3) → coredns/ebs (~1).
    expect(elapsedMin).toBeGreaterThan(12);
    expect(elapsedMin).toBeLessThan(16.5);

    const ev = await t.events('demo-stack');
    expect(line(ev[0]!)).toBe('demo-stack CREATE_IN_PROGRESS User Initiated');
    expect(line(ev.at(-1)!)).toBe('demo-stack CREATE_COMPLETE');
    const idx = (id: string, status: string, reason?: string) =>
      ev.findIndex(
        (e) => e.LogicalResourceId === id && e.ResourceStatus === status && e.ResourceStatusReason === reason,
      );
    // Each resource: CREATE_IN_PROGRESS, then "Resource creation Initiated", then CREATE_COMPLETE.
    for (const id of ['NodeRole', 'Cluster', 'VpcCni', 'KubeProxy', 'Nodegroup', 'CoreDns', 'EbsCsi', 'AdminAccess']) {
      const a = idx(id, 'CREATE_IN_PROGRESS');
      const b = idx(id, 'CREATE_IN_PROGRESS', 'Resource creation Initiated');
      const c = idx(id, 'CREATE_COMPLETE');
      expect(a, id).toBeGreaterThan(0);
      expect(b, id).toBeGreaterThan(a);
      expect(c, id).toBeGreaterThan(b);
    }
    // NodeRole and Cluster have no dependency on each other: both start before either completes.
    expect(idx('Cluster', 'CREATE_IN_PROGRESS')).toBeLessThan(idx('NodeRole', 'CREATE_COMPLETE'));
    expect(idx('VpcCni', 'CREATE_IN_PROGRESS')).toBeGreaterThan(idx('Cluster', 'CREATE_COMPLETE'));
    expect(idx('Nodegroup', 'CREATE_IN_PROGRESS')).toBeGreaterThan(idx('KubeProxy', 'CREATE_COMPLETE'));
    expect(idx('CoreDns', 'CREATE_IN_PROGRESS')).toBeGreaterThan(idx('Nodegroup', 'CREATE_COMPLETE'));
    // Timestamps strictly increase; resource event ids follow AWS's `<LogicalId>-<STATUS>-<time>` form.
    for (let i = 1; i < ev.length; i++)
      expect(Date.parse(ev[i]!.Timestamp)).toBeGreaterThan(Date.parse(ev[i - 1]!.Timestamp));
    const complete = ev[idx('Cluster', 'CREATE_COMPLETE')]!;
    expect(complete.EventId).toBe(`Cluster-CREATE_COMPLETE-${complete.Timestamp}`);
    expect(complete.PhysicalResourceId).toBe('demo');

    // The world shows what was built.
    const cluster = t.world.data.eksClusters.find((c) => c.name === 'demo')!;
    expect(cluster.status).toBe('ACTIVE');
    expect(cluster.endpoint).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\.us-east-1\.eks\.amazonaws\.com$/);
    expect(cluster.oidcIssuer).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(Buffer.from(cluster.certificateAuthorityData!, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(cluster.tags).toMatchObject({ team: 'platform', 'eks-provisioner:cluster-id': 'c-1' });
    expect(t.world.data.eksNodegroups.find((n) => n.clusterName === 'demo')?.status).toBe('ACTIVE');
    expect(
      t.world.data.eksAddons
        .filter((a) => a.clusterName === 'demo')
        .map((a) => `${a.addonName}:${a.status}`)
        .sort(),
    ).toEqual(['aws-ebs-csi-driver:ACTIVE', 'coredns:ACTIVE', 'kube-proxy:ACTIVE', 'vpc-cni:ACTIVE']);
    // Creator's own entry (bootstrap admin) plus the template's.
    expect(t.world.data.eksAccessEntries.map((e) => e.principalArn).sort()).toEqual([
      DEMO.serviceRoleArn,
      `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin`,
    ]);
    const nodeRole = t.world.data.roles.find((r) => r.name.startsWith('demo-stack-NodeRole-'))!;
    expect(nodeRole.name).toMatch(/^demo-stack-NodeRole-[A-Z0-9]{13}$/);
    expect(nodeRole.attachedPolicyArns).toContain('arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy');

    // Outputs, parameters (NoEcho masked), tags.
    const outputs = Object.fromEntries(
      (s.Outputs as { OutputKey: string; OutputValue: string }[]).map((o) => [o.OutputKey, o.OutputValue]),
    );
    expect(outputs.ClusterName).toBe('demo');
    expect(outputs.Endpoint).toBe(cluster.endpoint);
    expect(outputs.Oidc).toBe(cluster.oidcIssuer);
    expect(outputs.NodeRoleArn).toBe(nodeRole.arn);
    expect(s.Outputs.find((o: { OutputKey: string }) => o.OutputKey === 'NodeRoleArn').ExportName).toBe(
      'demo-stack-NodeRoleArn',
    );
    expect(s.Parameters).toContainEqual({ ParameterKey: 'Team', ParameterValue: '****' });
    expect(s.Parameters).toContainEqual({ ParameterKey: 'NodeCount', ParameterValue: '2' });
    expect(s.Capabilities).toEqual(['CAPABILITY_IAM']);

    // Resources listed with physical ids as AWS forms them.
    const res = (await t.call('DescribeStackResources', { StackName: 'demo-stack' })).StackResources as {
      LogicalResourceId: string;
      PhysicalResourceId: string;
    }[];
    const phys = Object.fromEntries(res.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
    expect(phys.Cluster).toBe('demo');
    expect(phys.VpcCni).toBe('demo|vpc-cni');
    expect(phys.Nodegroup).toMatch(/^demo\/Nodegroup-[A-Za-z0-9]{12}$/);
    expect(phys.AdminAccess).toBe(`demo|${DEMO.serviceRoleArn}`);
    const template = await t.call('GetTemplate', { StackName: StackId });
    expect(JSON.parse(template.TemplateBody).Description).toBe('EKS-like test stack');
  });

  it('NoEcho values reach the resources but not events, DescribeStacks or the world dump', async () => {
    const t = setup();
    await t.call('CreateStack', createInput({}, { Team: 's3cr3t-team-value' }));
    await t.clock.runAll();
    expect(t.world.data.eksClusters[0]!.tags.team).toBe('s3cr3t-team-value');
    const ev = await t.events('demo-stack');
    const props = ev.find((e) => e.LogicalResourceId === 'Cluster' && e.ResourceStatus === 'CREATE_IN_PROGRESS') as {
      ResourceProperties?: string;
    };
    expect(JSON.parse(props.ResourceProperties!).Tags).toEqual([{ Key: 'team', Value: '****' }]);
    expect(JSON.stringify(ev)).not.toContain('s3cr3t');
    expect(JSON.stringify(await t.stack('demo-stack'))).not.toContain('s3cr3t');
    expect(JSON.stringify(t.world.data.services)).not.toContain('s3cr3t');
  });

  it('deletes in reverse dependency order, and the stack is then found by id only', async () => {
    const t = setup();
    const { StackId } = await t.call('CreateStack', createInput());
    await t.clock.runAll();
    await t.call('DeleteStack', { StackName: 'demo-stack' });
    expect((await t.stack('demo-stack')).StackStatus).toBe('DELETE_IN_PROGRESS');
    await t.clock.runAll();
    await expectAwsError(t.stack('demo-stack'), 'ValidationError', 'Stack with id demo-stack does not exist');
    const gone = await t.stack(StackId);
    expect(gone.StackStatus).toBe('DELETE_COMPLETE');
    expect(gone.DeletionTime).toBeDefined();
    const ev = await t.events(StackId);
    const at = (id: string, status: string) =>
      ev.findIndex((e) => e.LogicalResourceId === id && e.ResourceStatus === status);
    expect(at('Nodegroup', 'DELETE_COMPLETE')).toBeLessThan(at('Cluster', 'DELETE_IN_PROGRESS'));
    expect(at('CoreDns', 'DELETE_COMPLETE')).toBeLessThan(at('Nodegroup', 'DELETE_IN_PROGRESS'));
    expect(at('Nodegroup', 'DELETE_COMPLETE')).toBeLessThan(at('NodeRole', 'DELETE_IN_PROGRESS'));
    expect(line(ev.find((e) => e.ResourceStatus === 'DELETE_IN_PROGRESS')!)).toBe(
      'demo-stack DELETE_IN_PROGRESS User Initiated',
    );
    expect(t.world.data.eksClusters).toHaveLength(0);
    expect(t.world.data.roles.some((r) => r.name.startsWith('demo-stack-'))).toBe(false);
    expect(t.clock.pending).toBe(0);
    // DeleteStack of something that is not there succeeds, as AWS does.
    await expect(t.call('DeleteStack', { StackName: 'demo-stack' })).resolves.toEqual({});
  });
});

describe('CloudFormation engine: failures and rollback', () => {
  it('role A without AmazonEKSClusterPolicy: Cluster fails with EKS wording, in-flight role cancelled, rollback completes', async () => {
    const t = setup();
    await t.call('CreateStack', createInput({}, { ClusterRoleArn: DEMO.serviceRoleNoPolicyArn }));
    await t.clock.runAll();
    const s = await t.stack('demo-stack');
    expect(s.StackStatus).toBe('ROLLBACK_COMPLETE');
    const ev = (await t.events('demo-stack')).map(line);
    const failed = ev.find((l) => l.startsWith('Cluster CREATE_FAILED'))!;
    expect(failed).toMatch(
      /^Cluster CREATE_FAILED Resource handler returned message: "The provided role doesn't have the Amazon EKS Managed Policies associated with it\. Please ensure the following policy is attached: arn:aws:iam::aws:policy\/AmazonEKSClusterPolicy \(Service: Eks, Status Code: 400, Request ID: [0-9a-f-]{36}\)" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: InvalidRequest\)$/,
    );
    expect(ev).toContain('NodeRole CREATE_FAILED Resource creation cancelled');
    expect(ev).toContain(
      'demo-stack ROLLBACK_IN_PROGRESS The following resource(s) failed to create: [Cluster, NodeRole]. Rollback requested by user.',
    );
    // The role had been created (CreateRole returned) so the rollback deletes it.
    expect(ev.indexOf('NodeRole DELETE_COMPLETE')).toBeGreaterThan(ev.indexOf('NodeRole DELETE_IN_PROGRESS'));
    expect(ev.at(-1)).toBe('demo-stack ROLLBACK_COMPLETE');
    expect(t.world.data.roles.some((r) => r.name.startsWith('demo-stack-'))).toBe(false);
    expect(t.world.data.eksClusters).toHaveLength(0);
  });

  it('role B without delete permissions: the rollback itself fails → ROLLBACK_FAILED (the seed case)', async () => {
    const t = setup((w) => addRoleBSession(w, CREATE_ONLY));
    const ctx = ctxFor(t.world, 'ASIAROLEBSESSION0001');
    await t.call('CreateStack', createInput({}, { ClusterRoleArn: DEMO.serviceRoleNoPolicyArn }), ctx);
    await t.clock.runAll();
    const s = await t.stack('demo-stack', ctx);
    expect(s.StackStatus).toBe('ROLLBACK_FAILED');
    expect(s.StackStatusReason).toBe('The following resource(s) failed to delete: [NodeRole]. ');
    const ev = await t.events('demo-stack', ctx);
    const del = ev.find((e) => e.LogicalResourceId === 'NodeRole' && e.ResourceStatus === 'DELETE_FAILED')!;
    expect(del.ResourceStatusReason).toMatch(
      /^Resource handler returned message: "User: arn:aws:sts::222222222222:assumed-role\/eks-provisioner-provision\/provision is not authorized to perform: iam:DetachRolePolicy on resource: arn:aws:iam::222222222222:role\/demo-stack-NodeRole-[A-Z0-9]{13} because no identity-based policy allows the iam:DetachRolePolicy action \(Service: Iam, Status Code: 403, Request ID: [0-9a-f-]{36}\)" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: AccessDenied\)$/,
    );
    // The role is left behind for the user to delete by hand.
    expect(t.world.data.roles.some((r) => r.name.startsWith('demo-stack-NodeRole-'))).toBe(true);
    expect(ev.at(-1)!.ResourceStatus).toBe('ROLLBACK_FAILED');
  });

  it('with delete permissions role B rolls back cleanly; a later DeleteStack of ROLLBACK_FAILED retries with the deleter', async () => {
    const t = setup((w) => addRoleBSession(w, DELETE_TOO));
    const ctx = ctxFor(t.world, 'ASIAROLEBSESSION0001');
    await t.call('CreateStack', createInput({}, { ClusterRoleArn: DEMO.serviceRoleNoPolicyArn }), ctx);
    await t.clock.runAll();
    expect((await t.stack('demo-stack', ctx)).StackStatus).toBe('ROLLBACK_COMPLETE');

    const u = setup((w) => addRoleBSession(w, CREATE_ONLY));
    const roleB = ctxFor(u.world, 'ASIAROLEBSESSION0001');
    const { StackId } = await u.call(
      'CreateStack',
      createInput({}, { ClusterRoleArn: DEMO.serviceRoleNoPolicyArn }),
      roleB,
    );
    await u.clock.runAll();
    expect((await u.stack('demo-stack')).StackStatus).toBe('ROLLBACK_FAILED');
    await u.call('DeleteStack', { StackName: 'demo-stack' }); // the admin user, who may delete
    await u.clock.runAll();
    const ev = (await u.events(StackId)).map(line);
    expect(ev.at(-1)).toBe('demo-stack DELETE_COMPLETE');
    expect(u.world.data.roles.some((r) => r.name.startsWith('demo-stack-'))).toBe(false);
  });

  it('PassRole denied: the Cluster fails with the EKS AccessDenied wording', async () => {
    const t = setup((w) =>
      addRoleBSession(w, [
        ...CREATE_ONLY.filter((s) => !String(s.Action).includes('iam:PassRole')),
        { Effect: 'Deny', Action: 'iam:PassRole', Resource: DEMO.serviceRoleArn },
      ]),
    );
    const ctx = ctxFor(t.world, 'ASIAROLEBSESSION0001');
    await t.call('CreateStack', createInput({ OnFailure: 'DO_NOTHING' }), ctx);
    await t.clock.runAll();
    const s = await t.stack('demo-stack', ctx);
    expect(s.StackStatus).toBe('CREATE_FAILED');
    expect(s.StackStatusReason).toBe('The following resource(s) failed to create: [Cluster, NodeRole]. ');
    const reason = (await t.events('demo-stack', ctx)).find(
      (e) => e.LogicalResourceId === 'Cluster' && e.ResourceStatus === 'CREATE_FAILED',
    )!.ResourceStatusReason;
    expect(reason).toMatch(
      /^Resource handler returned message: "User: arn:aws:sts::222222222222:assumed-role\/eks-provisioner-provision\/provision is not authorized to perform: iam:PassRole on resource: arn:aws:iam::222222222222:role\/eks-cluster-role with an explicit deny in an identity-based policy \(Service: Eks, Status Code: 403, Request ID: [0-9a-f-]{36}\)" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: AccessDenied\)$/,
    );
    // DO_NOTHING keeps what was made: the role exists, no delete events at all.
    expect((await t.events('demo-stack', ctx)).some((e) => e.ResourceStatus.startsWith('DELETE'))).toBe(false);
  });

  it("first cluster in an account: EKS creates its service-linked role with the caller's permissions", async () => {
    const t = setup((w) =>
      addRoleBSession(
        w,
        CREATE_ONLY.map((st) => ({
          ...st,
          Action: ([] as string[]).concat(st.Action ?? []).filter((a) => a !== 'iam:CreateServiceLinkedRole'),
        })),
      ),
    );
    const ctx = ctxFor(t.world, 'ASIAROLEBSESSION0001');
    await t.call('CreateStack', createInput({ OnFailure: 'DO_NOTHING' }), ctx);
    await t.clock.runAll();
    const reason = (await t.events('demo-stack', ctx)).find(
      (e) => e.LogicalResourceId === 'Cluster' && e.ResourceStatus === 'CREATE_FAILED',
    )!.ResourceStatusReason!;
    expect(reason).toContain(
      'is not authorized to perform: iam:CreateServiceLinkedRole on resource: arn:aws:iam::222222222222:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS',
    );
    // With the permission, the roles appear once and are reused.
    const u = setup();
    await u.call('CreateStack', createInput());
    await u.clock.runAll();
    const slr = u.world.data.roles
      .filter((r) => r.path.startsWith('/aws-service-role/'))
      .map((r) => r.name)
      .sort();
    expect(slr).toEqual(['AWSServiceRoleForAmazonEKS', 'AWSServiceRoleForAmazonEKSNodegroup']);
  });

  it('a subnet in an AZ EKS rejects: UnsupportedAvailabilityZone wording with the zones offered', async () => {
    const t = setup();
    await t.call(
      'CreateStack',
      createInput({ DisableRollback: true }, { SubnetIds: [DEMO.subnetIds[0], DEMO.rejectedSubnetId].join(',') }),
    );
    await t.clock.runAll();
    const s = await t.stack('demo-stack');
    expect(s.StackStatus).toBe('CREATE_FAILED');
    expect(s.DisableRollback).toBe(true);
    const reason = (await t.events('demo-stack')).find(
      (e) => e.LogicalResourceId === 'Cluster' && e.ResourceStatus === 'CREATE_FAILED',
    )!.ResourceStatusReason!;
    expect(reason).toContain(
      "Cannot create cluster 'demo' because us-east-1d, the targeted availability zone, does not currently have sufficient capacity to support the cluster. Retry and choose from these availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1e, us-east-1f (Service: Eks, Status Code: 400,",
    );
  });

  it('key pair absent in the region: the node group fails; the cluster stays for rollback to delete', async () => {
    const t = setup();
    await t.call('CreateStack', createInput({}, { KeyName: 'not-here' }));
    await t.clock.runAll();
    const ev = (await t.events('demo-stack')).map(line);
    expect(ev.find((l) => l.startsWith('Nodegroup CREATE_FAILED'))).toMatch(
      /^Nodegroup CREATE_FAILED Resource handler returned message: "KeyPair not-here not found \(Service: Eks, Status Code: 400, /,
    );
    expect(ev).toContain(
      'demo-stack ROLLBACK_IN_PROGRESS The following resource(s) failed to create: [Nodegroup]. Rollback requested by user.',
    );
    expect(ev.indexOf('Cluster DELETE_COMPLETE')).toBeGreaterThan(ev.indexOf('VpcCni DELETE_COMPLETE'));
    expect(ev.at(-1)).toBe('demo-stack ROLLBACK_COMPLETE');
  });

  it('an SSH key without SourceSecurityGroups: EKS opens port 22 on the nodes to 0.0.0.0/0 (and removes that group with the node group)', async () => {
    const t = setup();
    // The fixture template's RemoteAccess has only Ec2SshKey, the mistake the product must never make.
    await t.call('CreateStack', createInput({}, { KeyName: DEMO.keyName }));
    await t.clock.runAll();
    expect((await t.stack('demo-stack')).StackStatus).toBe('CREATE_COMPLETE');
    const ng = t.world.data.eksNodegroups[0]!;
    const sgId = ng.resources?.remoteAccessSecurityGroup;
    const sg = t.world.data.securityGroups.find((g) => g.groupId === sgId)!;
    expect(sg.groupName).toMatch(/^eks-remoteAccess-/);
    expect(sg.ingress).toEqual([{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIps: ['0.0.0.0/0'] }]);
    expect(ng.resources?.autoScalingGroups).toHaveLength(1);
    await t.call('DeleteStack', { StackName: 'demo-stack' });
    await t.clock.runAll();
    expect(t.world.data.securityGroups.find((g) => g.groupId === sgId)).toBeUndefined();
  });

  it('nodes fail to join (world flag): NodeCreationFailure with instance ids, health issue visible in EKS data', async () => {
    const t = setup((w) => {
      w.data.flags.nodesFailToJoin = true;
    });
    await t.call('CreateStack', createInput({ OnFailure: 'DO_NOTHING' }, { NodeCount: '3' }));
    await t.clock.runAll();
    const reason = (await t.events('demo-stack')).find(
      (e) => e.LogicalResourceId === 'Nodegroup' && e.ResourceStatus === 'CREATE_FAILED',
    )!.ResourceStatusReason!;
    expect(reason).toMatch(
      /^Resource handler returned message: "\[Issue\(Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster, ResourceIds=\[i-[0-9a-f]{17}, i-[0-9a-f]{17}, i-[0-9a-f]{17}\]\)\] \(Service: null, Status Code: 0, Request ID: null\)" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: GeneralServiceException\)$/,
    );
    const ng = t.world.data.eksNodegroups[0]!;
    expect(ng.status).toBe('CREATE_FAILED');
    expect(ng.health.issues[0]).toMatchObject({
      code: 'NodeCreationFailure',
      message: 'Instances failed to join the kubernetes cluster',
    });
    expect(ng.health.issues[0]!.resourceIds).toHaveLength(3);
  });

  it('cluster quota from the world: ServiceLimitExceeded', async () => {
    const t = setup((w) => {
      w.data.accounts.find((a) => a.id === CUSTOMER_ACCOUNT_ID)!.quotas.clustersPerRegion = 0;
    });
    await t.call('CreateStack', createInput({ OnFailure: 'DO_NOTHING' }));
    await t.clock.runAll();
    const reason = (await t.events('demo-stack')).find(
      (e) => e.ResourceStatus === 'CREATE_FAILED' && e.LogicalResourceId === 'Cluster',
    )!.ResourceStatusReason!;
    expect(reason).toContain('maximum number of clusters (0)');
    expect(reason).toContain('HandlerErrorCode: ServiceLimitExceeded');
  });

  it('an access entry for the cluster creator collides with the one EKS made for it', async () => {
    const t = setup();
    await t.call(
      'CreateStack',
      createInput({ OnFailure: 'DO_NOTHING' }, { AdminPrincipalArn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin` }),
    );
    await t.clock.runAll();
    const reason = (await t.events('demo-stack')).find(
      (e) => e.LogicalResourceId === 'AdminAccess' && e.ResourceStatus === 'CREATE_FAILED',
    )!.ResourceStatusReason!;
    expect(reason).toContain('The specified access entry resource is already in use on this cluster.');
  });

  it('OnFailure DELETE: the stack deletes itself and is then visible by id only', async () => {
    const t = setup();
    const { StackId } = await t.call(
      'CreateStack',
      createInput({ OnFailure: 'DELETE' }, { ClusterRoleArn: DEMO.serviceRoleNoPolicyArn }),
    );
    await t.clock.runAll();
    await expectAwsError(t.stack('demo-stack'), 'ValidationError', 'Stack with id demo-stack does not exist');
    const ev = (await t.events(StackId)).map(line);
    expect(ev).toContain(
      'demo-stack DELETE_IN_PROGRESS The following resource(s) failed to create: [Cluster, NodeRole]. Delete requested by user.',
    );
    expect(ev.at(-1)).toBe('demo-stack DELETE_COMPLETE');
  });

  it('DeleteStack while creating cancels in-flight resources, then deletes them', async () => {
    const t = setup();
    await t.call('CreateStack', createInput());
    await t.clock.advance(60_000); // role done, control plane creating
    await t.call('DeleteStack', { StackName: 'demo-stack' });
    await t.clock.runAll();
    const sid = (t.world.data.services.cloudformation as { stacks: { stackId: string }[] }).stacks[0]!.stackId;
    const ev = (await t.events(sid)).map(line);
    expect(ev).toContain('Cluster CREATE_FAILED Resource creation cancelled');
    expect(ev).toContain('Cluster DELETE_COMPLETE');
    expect(ev.at(-1)).toBe('demo-stack DELETE_COMPLETE');
    expect(t.world.data.eksClusters).toHaveLength(0);
  });
});

describe('CloudFormation engine: other resource types and paths', () => {
  const yaml = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ClusterName: { Type: String }
  Vpc: { Type: "AWS::EC2::VPC::Id" }
  Subnets: { Type: "List<AWS::EC2::Subnet::Id>" }
  WithExtra: { Type: String, Default: "no", AllowedValues: ["yes", "no"] }
Conditions:
  Extra: !Equals [!Ref WithExtra, "yes"]
Resources:
  ClusterRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "\${AWS::StackName}-cluster"
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: eks.amazonaws.com }, Action: "sts:AssumeRole" }]
      ManagedPolicyArns: [!Sub "arn:\${AWS::Partition}:iam::aws:policy/AmazonEKSClusterPolicy"]
  NodeRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: "sts:AssumeRole" }]
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy
        - arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly
  NodeSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: nodes
      VpcId: !Ref Vpc
  NodeSgSelf:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: { GroupId: !GetAtt NodeSg.GroupId, IpProtocol: "-1", SourceSecurityGroupId: !Ref NodeSg }
  Lt:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        SecurityGroupIds: [!GetAtt NodeSg.GroupId]
        MetadataOptions: { HttpTokens: required }
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      Name: !Ref ClusterName
      RoleArn: !GetAtt ClusterRole.Arn
      ResourcesVpcConfig: { SubnetIds: !Ref Subnets }
  Nodes:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: !Ref Cluster
      NodeRole: !GetAtt NodeRole.Arn
      Subnets: !Ref Subnets
      LaunchTemplate: { Id: !Ref Lt, Version: !GetAtt Lt.LatestVersionNumber }
  ExtraSg:
    Type: AWS::EC2::SecurityGroup
    Condition: Extra
    Properties: { GroupDescription: extra, VpcId: !Ref Vpc }
Outputs:
  Az:
    Value: !Select [0, !GetAZs ""]
  Lt:
    Value: !Join [":", [!Ref Lt, !GetAtt Lt.LatestVersionNumber]]
  Extra:
    Condition: Extra
    Value: !Ref ExtraSg
`;
  const yamlParams = (extra: Record<string, string> = {}) =>
    Object.entries({ ClusterName: 'yaml', Vpc: DEMO.vpcId, Subnets: DEMO.subnetIds.join(','), ...extra }).map(
      ([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }),
    );

  it('a YAML template: named role, security group + ingress, launch template, node group on it; false conditions skip', async () => {
    const t = setup();
    await t.call('CreateStack', {
      StackName: 'yaml',
      TemplateBody: yaml,
      Parameters: yamlParams(),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    });
    await t.clock.runAll();
    const s = await t.stack('yaml');
    expect(s.StackStatus).toBe('CREATE_COMPLETE');
    expect(s.Outputs.map((o: { OutputKey: string }) => o.OutputKey).sort()).toEqual(['Az', 'Lt']);
    const outputs = Object.fromEntries(
      s.Outputs.map((o: { OutputKey: string; OutputValue: string }) => [o.OutputKey, o.OutputValue]),
    );
    expect(outputs.Az).toBe('us-east-1a');
    expect(outputs.Lt).toMatch(/^lt-[0-9a-f]{17}:1$/);
    expect(t.world.role(CUSTOMER_ACCOUNT_ID, 'yaml-cluster')).toBeDefined();
    const ng = t.world.data.eksNodegroups[0]!;
    expect(ng.launchTemplate).toEqual({
      id: outputs.Lt!.split(':')[0],
      name: expect.stringMatching(/^Lt_/),
      version: '1',
    });
    const sg = t.world.data.securityGroups.find((g) => g.description === 'nodes')!;
    expect(sg.ingress).toEqual([{ ipProtocol: '-1', sourceGroupIds: [sg.groupId] }]);
    expect(
      (await t.call('DescribeStackResources', { StackName: 'yaml' })).StackResources.map(
        (r: { LogicalResourceId: string }) => r.LogicalResourceId,
      ),
    ).not.toContain('ExtraSg');
  });

  it('a resource that DependsOn a resource whose condition is false is rejected', async () => {
    const t = setup();
    const body = yaml.replace(
      '  Nodes:\n    Type: AWS::EKS::Nodegroup\n',
      '  Nodes:\n    Type: AWS::EKS::Nodegroup\n    DependsOn: ExtraSg\n',
    );
    await expectAwsError(
      t.call('CreateStack', {
        StackName: 'yaml',
        TemplateBody: body,
        Parameters: yamlParams(),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
      'ValidationError',
      'Template format error: Unresolved resource dependencies [ExtraSg] in the Resources block of the template',
    );
  });

  it("instance type offered in none of the subnets' AZs: AsgInstanceLaunchFailures", async () => {
    const t = setup((w) => {
      w.region('us-east-1')!.instanceTypeOfferings['t3.medium'] = ['us-east-1e', 'us-east-1f'];
    });
    await t.call('CreateStack', createInput({ OnFailure: 'DO_NOTHING' }));
    await t.clock.runAll();
    const reason = (await t.events('demo-stack')).find(
      (e) => e.LogicalResourceId === 'Nodegroup' && e.ResourceStatus === 'CREATE_FAILED',
    )!.ResourceStatusReason!;
    expect(reason).toContain(
      '[Issue(Code=AsgInstanceLaunchFailures, Message=Could not launch On-Demand Instances. Unsupported - Your requested instance type (t3.medium) is not supported',
    );
    expect(reason).toContain('choosing us-east-1e, us-east-1f');
  });

  it('an add-on that needs nodes, on a cluster without any, ends DEGRADED after the handler gives up', async () => {
    const t = setup();
    const tpl = eksTemplate() as { Resources: Record<string, { DependsOn?: unknown }> };
    delete tpl.Resources.CoreDns!.DependsOn;
    delete tpl.Resources.Nodegroup;
    delete tpl.Resources.EbsCsi;
    delete (tpl as { Outputs?: Record<string, unknown> }).Outputs!.NodegroupName;
    const start = t.clock.now();
    await t.call('CreateStack', createInput({ TemplateBody: JSON.stringify(tpl), OnFailure: 'DO_NOTHING' }));
    await t.clock.runAll();
    const failed = (await t.events('demo-stack')).find((e) => e.ResourceStatus === 'CREATE_FAILED')!;
    expect(failed.LogicalResourceId).toBe('CoreDns');
    expect(failed.ResourceStatusReason).toMatch(
      /^Resource handler returned message: "Addon coredns failed to stabilize: DEGRADED" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: NotStabilized\)$/,
    );
    expect((Date.parse(failed.Timestamp) - start) / 60_000).toBeGreaterThan(29);
    expect(t.world.data.eksAddons.find((a) => a.addonName === 'coredns')?.status).toBe('DEGRADED');
  });
});

describe('CloudFormation service: synchronous checks', () => {
  it('validation errors use CloudFormation wording', async () => {
    const t = setup();
    const body = (tpl: unknown) => ({
      StackName: 's',
      TemplateBody: JSON.stringify(tpl),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    });
    const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } };
    await expectAwsError(
      t.call(
        'CreateStack',
        body({ Resources: { A: role }, Outputs: { X: { Value: { 'Fn::GetAtt': ['Nope', 'Arn'] } } } }),
      ),
      'ValidationError',
      'Template error: instance of Fn::GetAtt references undefined resource Nope',
    );
    await expectAwsError(
      t.call(
        'CreateStack',
        body({ Resources: { A: { ...role, Properties: { ...role.Properties, Path: { Ref: 'Missing' } } } } }),
      ),
      'ValidationError',
      'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
    );
    await expectAwsError(
      t.call('CreateStack', body({ Resources: { A: { Type: 'AWS::Foo::Bar' } } })),
      'ValidationError',
      'Template format error: Unrecognized resource types: [AWS::Foo::Bar]',
    );
    await expectAwsError(
      t.call('CreateStack', body({ Resources: {} })),
      'ValidationError',
      'Template format error: At least one Resources member must be defined.',
    );
    await expectAwsError(
      t.call('CreateStack', body({ Resources: { A: role }, Bogus: 1 })),
      'ValidationError',
      'Template format error: Invalid template property or properties [Bogus]',
    );
    await expectAwsError(
      t.call(
        'CreateStack',
        body({
          Resources: { A: { ...role, Properties: { ...role.Properties, Path: { 'Fn::GetAtt': ['A', 'Nope'] } } } },
        }),
      ),
      'ValidationError',
      'Template error: resource A does not support attribute type Nope in Fn::GetAtt',
    );
    await expectAwsError(
      t.call('CreateStack', body({ Resources: { A: { ...role, DependsOn: 'B' }, B: { ...role, DependsOn: 'A' } } })),
      'ValidationError',
      'Circular dependency between resources: [A, B]',
    );
    await expectAwsError(
      t.call('CreateStack', { StackName: 's', TemplateBody: '{"Resources": {' }),
      'ValidationError',
      /^Template format error: JSON not well-formed\. \(line 1, column \d+\)$/,
    );
    await expectAwsError(
      t.call('CreateStack', { StackName: 's', TemplateBody: `{"Description":"${'x'.repeat(51_200)}"}` }),
      'ValidationError',
      /Member must have length less than or equal to 51200/,
    );
    await expectAwsError(
      t.call('CreateStack', { StackName: '1bad', TemplateBody: '{}' }),
      'ValidationError',
      /failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
  });

  it('parameters: missing, unknown, AllowedValues, Number, AWS-specific types checked against the world', async () => {
    const t = setup();
    const base = createInput();
    const without = (key: string) => base.Parameters.filter((p) => p.ParameterKey !== key);
    await expectAwsError(
      t.call('CreateStack', {
        ...base,
        Parameters: without('ClusterName').filter((p) => p.ParameterKey !== 'ClusterRoleArn'),
      }),
      'ValidationError',
      'Parameters: [ClusterName, ClusterRoleArn] must have values',
    );
    await expectAwsError(
      t.call('CreateStack', {
        ...base,
        Parameters: [...base.Parameters, { ParameterKey: 'Extra', ParameterValue: 'x' }],
      }),
      'ValidationError',
      'Parameters: [Extra] do not exist in the template',
    );
    await expectAwsError(
      t.call('CreateStack', createInput({}, { Version: '1.20' })),
      'ValidationError',
      "Parameter 'Version' must be one of AllowedValues",
    );
    await expectAwsError(
      t.call('CreateStack', createInput({}, { NodeCount: 'two' })),
      'ValidationError',
      "Parameter 'NodeCount' must be a number",
    );
    await expectAwsError(
      t.call('CreateStack', createInput({}, { NodeCount: '11' })),
      'ValidationError',
      "Parameter 'NodeCount' must be a number not greater than 10",
    );
    await expectAwsError(
      t.call('CreateStack', createInput({}, { SubnetIds: 'subnet-0000000000000dead' })),
      'ValidationError',
      'Parameter validation failed: parameter value subnet-0000000000000dead for parameter name SubnetIds does not exist.',
    );
  });

  it('capabilities: CAPABILITY_IAM for generated names, CAPABILITY_NAMED_IAM for named IAM resources', async () => {
    const t = setup();
    await expectAwsError(
      t.call('CreateStack', createInput({ Capabilities: [] })),
      'InsufficientCapabilitiesException',
      'Requires capabilities : [CAPABILITY_IAM]',
    );
    const named = eksTemplate() as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    named.Resources.NodeRole!.Properties.RoleName = 'my-node-role';
    await expectAwsError(
      t.call('CreateStack', createInput({ TemplateBody: JSON.stringify(named), Capabilities: ['CAPABILITY_IAM'] })),
      'InsufficientCapabilitiesException',
      'Requires capabilities : [CAPABILITY_NAMED_IAM]',
    );
    await expect(
      t.call(
        'CreateStack',
        createInput({ TemplateBody: JSON.stringify(named), Capabilities: ['CAPABILITY_NAMED_IAM'] }),
      ),
    ).resolves.toHaveProperty('StackId');
  });

  it('ClientRequestToken: same token → same StackId; another token → AlreadyExistsException', async () => {
    const t = setup();
    const first = await t.call('CreateStack', createInput({ ClientRequestToken: 'tok-1' }));
    const again = await t.call('CreateStack', createInput({ ClientRequestToken: 'tok-1' }));
    expect(again.StackId).toBe(first.StackId);
    await expectAwsError(
      t.call('CreateStack', createInput({ ClientRequestToken: 'tok-2' })),
      'AlreadyExistsException',
      'Stack [demo-stack] already exists',
    );
    await expectAwsError(
      t.call('CreateStack', createInput()),
      'AlreadyExistsException',
      'Stack [demo-stack] already exists',
    );
    const ev = await t.events('demo-stack');
    expect(ev[0]!.ResourceStatus).toBe('CREATE_IN_PROGRESS');
    expect((ev[0] as { ClientRequestToken?: string }).ClientRequestToken).toBe('tok-1');
  });

  it('cloudformation:CreateStack is checked against the caller', async () => {
    const t = setup((w) =>
      addRoleBSession(w, [{ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: '*' }]),
    );
    await expectAwsError(
      t.call('CreateStack', createInput(), ctxFor(t.world, 'ASIAROLEBSESSION0001')),
      'AccessDenied',
      'User: arn:aws:sts::222222222222:assumed-role/eks-provisioner-provision/provision is not authorized to perform: cloudformation:CreateStack on resource: arn:aws:cloudformation:us-east-1:222222222222:stack/demo-stack/* because no identity-based policy allows the cloudformation:CreateStack action',
    );
  });

  it('CreateStack passes cloudformation:ResourceTypes and needs cloudformation:TagResource to tag on create', async () => {
    const allowTypes = (types: string[]) => [
      {
        Effect: 'Allow' as const,
        Action: 'cloudformation:CreateStack',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'cloudformation:ResourceTypes': types } },
      },
    ];
    const eksTypes = [
      'AWS::IAM::Role',
      'AWS::EKS::Cluster',
      'AWS::EKS::Addon',
      'AWS::EKS::Nodegroup',
      'AWS::EKS::AccessEntry',
    ];
    const t = setup((w) => addRoleBSession(w, allowTypes(eksTypes.filter((x) => x !== 'AWS::EKS::Nodegroup'))));
    const roleB = ctxFor(t.world, 'ASIAROLEBSESSION0001');
    await expectAwsError(
      t.call('CreateStack', createInput({ Tags: [] }), roleB),
      'AccessDenied',
      /not authorized to perform: cloudformation:CreateStack/,
    );
    const u = setup((w) => addRoleBSession(w, allowTypes(eksTypes)));
    const roleB2 = ctxFor(u.world, 'ASIAROLEBSESSION0001');
    await expect(
      u.call('CreateStack', createInput({ StackName: 'untagged', Tags: [] }), roleB2),
    ).resolves.toHaveProperty('StackId');
    await expectAwsError(
      u.call('CreateStack', createInput(), roleB2),
      'AccessDenied',
      /not authorized to perform: cloudformation:TagResource on resource: arn:aws:cloudformation:us-east-1:222222222222:stack\/demo-stack\/\*/,
    );
  });

  it('ValidateTemplate reports parameters and capabilities; ListStacks filters by status', async () => {
    const t = setup();
    const v = await t.call('ValidateTemplate', { TemplateBody: JSON.stringify(eksTemplate()) });
    expect(v.Capabilities).toEqual(['CAPABILITY_IAM']);
    expect(v.CapabilitiesReason).toBe('The following resource(s) require capabilities: [AWS::IAM::Role]');
    expect(v.Parameters.find((p: { ParameterKey: string }) => p.ParameterKey === 'Team')).toEqual({
      ParameterKey: 'Team',
      DefaultValue: 'platform',
      NoEcho: true,
    });
    await t.call('CreateStack', createInput());
    await t.call('CreateStack', createInput({ StackName: 'broken' }, { ClusterRoleArn: DEMO.serviceRoleNoPolicyArn }));
    await t.clock.runAll();
    const complete = await t.call('ListStacks', { StackStatusFilter: ['CREATE_COMPLETE'] });
    expect(complete.StackSummaries.map((x: { StackName: string }) => x.StackName)).toEqual(['demo-stack']);
    const all = await t.call('ListStacks', {});
    expect(all.StackSummaries.map((x: { StackStatus: string }) => x.StackStatus).sort()).toEqual([
      'CREATE_COMPLETE',
      'ROLLBACK_COMPLETE',
    ]);
  });

  it('DescribeStackEvents pages at 100, newest first; ListStackResources lists started resources', async () => {
    const t = setup();
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++)
      resources[`Sg${i}`] = {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: { GroupDescription: `sg ${i}`, VpcId: DEMO.vpcId },
      };
    await t.call('CreateStack', { StackName: 'many', TemplateBody: JSON.stringify({ Resources: resources }) });
    await t.clock.runAll();
    const first = await t.call('DescribeStackEvents', { StackName: 'many' });
    expect(first.StackEvents).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    expect(first.StackEvents[0].ResourceStatus).toBe('CREATE_COMPLETE');
    expect(first.StackEvents[0].LogicalResourceId).toBe('many');
    const second = await t.call('DescribeStackEvents', { StackName: 'many', NextToken: first.NextToken });
    expect(second.StackEvents).toHaveLength(40 * 3 + 2 - 100);
    expect(second.NextToken).toBeUndefined();
    expect(second.StackEvents.at(-1).ResourceStatusReason).toBe('User Initiated');
    const list = await t.call('ListStackResources', { StackName: 'many' });
    expect(list.StackResourceSummaries).toHaveLength(40);
    expect(list.StackResourceSummaries[0].PhysicalResourceId).toMatch(/^sg-[0-9a-f]{17}$/);
  });
});
