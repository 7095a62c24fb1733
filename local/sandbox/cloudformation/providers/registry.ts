/** The resource types the sandbox's CloudFormation models, by type name. */
import type { ResourceCatalog } from '../template/analyze.js';
import { ec2LaunchTemplate, ec2SecurityGroup, ec2SecurityGroupIngress } from './ec2.js';
import { eksAccessEntry, eksAddon, eksCluster, eksNodegroup } from './eks.js';
import { iamRole } from './iam.js';
import type { ResourceProvider } from './types.js';

export const PROVIDERS: ReadonlyMap<string, ResourceProvider> = new Map(
  [
    iamRole,
    eksCluster,
    eksNodegroup,
    eksAddon,
    eksAccessEntry,
    ec2SecurityGroup,
    ec2SecurityGroupIngress,
    ec2LaunchTemplate,
  ].map((p) => [p.type, p]),
);

export const catalog: ResourceCatalog = {
  attributes: (type) => PROVIDERS.get(type)?.attributes,
};
