/**
 * Resource types of the cluster template, for policy generation. Replaced by a read of the
 * synthesized template once it lands (the policy test compares both).
 */
export const TEMPLATE_RESOURCE_TYPES: readonly string[] = [
  'AWS::IAM::Role',
  'AWS::EKS::Cluster',
  'AWS::EKS::Nodegroup',
  'AWS::EKS::Addon',
  'AWS::EKS::AccessEntry',
];
