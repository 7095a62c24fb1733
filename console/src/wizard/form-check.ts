/**
 * The settings form checked in the browser with the API's own schema (shared/settings, no second
 * copy), its problems phrased for the control the person uses: "Choose a VPC", not "vpcId: must be a
 * VPC id such as vpc-…". DOM-free, unit-tested in Node.
 */
import { checkClusterSettings } from '../../../shared/settings/cluster-settings';
import type { ClusterSettings, FieldError } from '../api/types';
import { DEPLOY_FIELD, deployRoleProblems } from './deploy-roles';

const fieldOf = (path: string) => path.split(/[.[]/)[0] ?? path;
const sentence = (m: string) => m.charAt(0).toUpperCase() + m.slice(1);

/** What to do, said for the control (a select is chosen, a box is filled), when the value is missing or malformed. */
function forControl(path: string, message: string, s: ClusterSettings): string {
  const empty = (v: unknown) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
  switch (fieldOf(path)) {
    case 'name':
      return empty(s.name) ? 'Enter a name for the cluster.' : `The name ${message}.`;
    case 'serviceRoleArn':
      return empty(s.serviceRoleArn) || /must be the ARN/.test(message)
        ? 'Choose the cluster service role (role A).'
        : sentence(message);
    case 'vpcId':
      return 'Choose a VPC.';
    case 'subnetIds':
      return s.subnetIds.length < 2
        ? 'Choose at least two subnets, in at least two Availability Zones.'
        : sentence(message);
    case 'securityGroupIds':
      return sentence(message);
    case 'instanceType':
      return 'Choose an instance type.';
    case 'nodeCount':
      return /at most/.test(message) ? sentence(message) : 'Enter a whole number of nodes from 1 to 450.';
    case 'kubernetesVersion':
      return 'Choose a Kubernetes version.';
    case 'environmentScope':
      return `The environment scope ${message}.`;
    default:
      return path === fieldOf(path) ? sentence(message) : `${path}: ${message}`;
  }
}

/**
 * Every problem the API would report for these settings, on its field, phrased for the form. The deploy
 * roles keep their per-item paths (`deployPrincipalArns[1]: …`), as the field lists several ARNs.
 */
export function formProblems(settings: ClusterSettings, roleNamePrefix: string): FieldError[] {
  const checked = checkClusterSettings(settings, { roleNamePrefix });
  if (checked.ok) return [];
  const deploy = deployRoleProblems(settings.deployPrincipalArns ?? []);
  const others = checked.fields.filter(
    (f) => fieldOf(f.path) !== DEPLOY_FIELD || !deploy.some((d) => d.path === f.path),
  );
  const out = others.map((f) =>
    fieldOf(f.path) === DEPLOY_FIELD ? f : { path: f.path, message: forControl(f.path, f.message, settings) },
  );
  // One message per field and wording (two subnets problems phrase the same).
  return [...deploy, ...out].filter(
    (f, i, all) => all.findIndex((x) => fieldOf(x.path) === fieldOf(f.path) && x.message === f.message) === i,
  );
}
