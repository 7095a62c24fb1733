/**
 * What role B must be allowed for CloudFormation to create (and, opted in, delete) each resource
 * type the cluster template uses. CloudFormation calls these with role B's credentials (the stack
 * has no service role), so they belong in role B's policy. Sourced from the CloudFormation registry
 * handler permissions of each type, minus what our template never triggers (KMS for envelope
 * encryption, the legacy instance-profile helpers of AWS::EKS::Cluster).
 *
 * Every template resource type must have an entry: the policy test fails otherwise.
 */

export interface ResourceActions {
  /** Create + read handlers (CloudFormation reads after create to fill Fn::GetAtt). */
  create: string[];
  /** Delete handler: only with the operator's opt-in (rollback and stack deletion need it). */
  delete: string[];
  /**
   * Update handler, for what PATCH /v1/clusters/{id} changes in place (always granted: an update
   * changes only what the service made). Includes the deletes an update itself performs: a replaced
   * node group's old group, an access entry whose principal was removed from the settings.
   */
  update: string[];
}

export const RESOURCE_TYPE_ACTIONS: Record<string, ResourceActions> = {
  'AWS::IAM::Role': {
    create: [
      'iam:CreateRole',
      'iam:GetRole',
      'iam:TagRole',
      'iam:AttachRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
    ],
    delete: ['iam:DeleteRole', 'iam:DetachRolePolicy', 'iam:UntagRole'],
    // The template's roles do not change with any setting: nothing to update.
    update: [],
  },
  'AWS::EKS::Cluster': {
    create: [
      'eks:CreateCluster',
      'eks:DescribeCluster',
      'eks:TagResource',
      'iam:PassRole',
      'iam:GetRole',
      'iam:CreateServiceLinkedRole',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
      'ec2:DescribeSecurityGroups',
    ],
    delete: ['eks:DeleteCluster', 'eks:UntagResource'],
    // Version (UpdateClusterVersion), UpgradePolicy (UpdateClusterConfig), both followed by DescribeUpdate.
    update: ['eks:UpdateClusterVersion', 'eks:UpdateClusterConfig', 'eks:DescribeUpdate'],
  },
  'AWS::EKS::Nodegroup': {
    create: [
      'eks:CreateNodegroup',
      'eks:DescribeNodegroup',
      'eks:TagResource',
      'iam:PassRole',
      'iam:GetRole',
      'iam:CreateServiceLinkedRole',
      'ec2:DescribeSubnets',
      'ec2:DescribeKeyPairs',
    ],
    delete: ['eks:DeleteNodegroup'],
    // Version roll, scaling; an instance-type change replaces the group (create new, then delete old).
    update: ['eks:UpdateNodegroupVersion', 'eks:UpdateNodegroupConfig', 'eks:DescribeUpdate', 'eks:DeleteNodegroup'],
  },
  'AWS::EKS::Addon': {
    create: [
      'eks:CreateAddon',
      'eks:DescribeAddon',
      'eks:DescribeAddonVersions',
      'eks:TagResource',
      'iam:PassRole',
      'iam:GetRole',
      // Addon.PodIdentityAssociations makes the association through these.
      'eks:CreatePodIdentityAssociation',
      'eks:DescribePodIdentityAssociation',
      'eks:ListPodIdentityAssociations',
    ],
    delete: ['eks:DeleteAddon', 'eks:DeletePodIdentityAssociation'],
    update: ['eks:UpdateAddon', 'eks:DescribeUpdate', 'eks:UpdatePodIdentityAssociation'],
  },
  'AWS::EKS::AccessEntry': {
    create: [
      'eks:CreateAccessEntry',
      'eks:DescribeAccessEntry',
      'eks:AssociateAccessPolicy',
      'eks:ListAssociatedAccessPolicies',
      'eks:TagResource',
    ],
    delete: ['eks:DeleteAccessEntry', 'eks:DisassociateAccessPolicy'],
    // A principal removed from the settings: its entry's condition turns false and CloudFormation deletes it.
    update: [
      'eks:UpdateAccessEntry',
      'eks:AssociateAccessPolicy',
      'eks:DisassociateAccessPolicy',
      'eks:DeleteAccessEntry',
    ],
  },
};
