/**
 * The settings form's check in the browser (console/src/wizard/form-check.ts): the API's own schema,
 * its problems phrased for the control, on the same field paths the API uses.
 */
import { describe, expect, it } from 'vitest';
import { formProblems } from '../../../console/src/wizard/form-check.js';
import { parseClusterSettings } from '../../../functions/lib/schema/cluster-settings.js';

const PREFIX = 'eks-provisioner-';
const GOOD = {
  name: 'demo',
  environmentScope: '*',
  region: 'us-east-1',
  provisionRoleArn: 'arn:aws:iam::222222222222:role/eks-provisioner-provision',
  serviceRoleArn: 'arn:aws:iam::222222222222:role/eks-cluster-role',
  vpcId: 'vpc-0a1b2c3d4e5f60001',
  subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
  securityGroupIds: [],
  instanceType: 't3.medium',
  nodeCount: 2,
  managed: true,
};

describe('settings form check (the API schema, in the words of the form)', () => {
  it('accepts what the API accepts', () => {
    expect(parseClusterSettings(GOOD, { roleNamePrefix: PREFIX }).ok).toBe(true);
    expect(formProblems(GOOD, PREFIX)).toEqual([]);
  });

  it('an empty form: one message per control, saying what to do with it', () => {
    const empty = {
      ...GOOD,
      name: '',
      serviceRoleArn: '',
      vpcId: '',
      subnetIds: [],
      instanceType: '',
      nodeCount: Number.NaN as number,
    };
    const byField = Object.fromEntries(formProblems(empty, PREFIX).map((f) => [f.path, f.message]));
    expect(byField).toEqual({
      name: 'Enter a name for the cluster.',
      serviceRoleArn: 'Choose the cluster service role (role A).',
      vpcId: 'Choose a VPC.',
      subnetIds: 'Choose at least two subnets, in at least two Availability Zones.',
      instanceType: 'Choose an instance type.',
      nodeCount: 'Enter a whole number of nodes from 1 to 450.',
    });
  });

  it('every field the API refuses is refused here too, on the same field', () => {
    const bad = {
      ...GOOD,
      name: 'Bad_Name!',
      nodeCount: 0,
      securityGroupIds: ['sg-1', 'sg-1'],
      deployPrincipalArns: ['arn:aws:iam::222222222222:user/ci'],
    };
    const api = parseClusterSettings(bad, { roleNamePrefix: PREFIX });
    expect(api.ok).toBe(false);
    const apiFields = new Set(api.ok ? [] : (api.diagnosis.fields ?? []).map((f) => f.path.split(/[.[]/)[0]));
    const formFields = new Set(formProblems(bad, PREFIX).map((f) => f.path.split(/[.[]/)[0]));
    expect(formFields).toEqual(apiFields);
    const name = formProblems(bad, PREFIX).find((f) => f.path === 'name')!.message;
    expect(name).toMatch(/^The name may contain only letters, digits and hyphens/);
    expect(formProblems(bad, PREFIX).find((f) => f.path === 'deployPrincipalArns[0]')!.message).toMatch(
      /IAM users cannot be deploy principals/,
    );
  });
});
