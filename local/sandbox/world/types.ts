/**
 * The world model of the AWS sandbox: everything AWS "knows" about the accounts the sandbox serves.
 *
 * This is a model of AWS, not of any product: nothing here knows who calls it or why.
 *
 * Shape rules (kept stable: the CloudFormation engine and the service modules build against them):
 * - `WorldData` is plain JSON. It is what a world file holds (validated by `world/schema.ts`), what
 *   `GET /_sandbox/world` returns, and what `POST /_sandbox/reset` restores. Secrets (secret keys, session
 *   tokens) live here because the sandbox is the "AWS side"; they are never echoed by the inspection
 *   endpoint (see `World.toPublicJSON`).
 * - Regional resources sit in flat arrays, each item carrying `accountId` + `region`, so describe calls are
 *   a filter over one array and a world file stays easy to write by hand.
 * - Timestamps are ISO-8601 strings (JSON-safe); the protocol layer turns them into each wire format.
 * - Tags are `Record<string, string>`; the protocol layer turns them into `[{Key, Value}]` where AWS does.
 * - Service modules that need private state of their own (CloudFormation stacks, …) keep it in
 *   `WorldData.services[<service>]` through `World.serviceState(...)`, so reset and dump cover it too.
 */

/** An IAM policy document as AWS stores it (`Statement` may be one object or a list). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** One policy statement. Strings or lists of strings, as in the IAM grammar. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  /** Trust policies only: `"*"`, `{ AWS: arn|account|[...] }`, `{ Service: "eks.amazonaws.com" }`, `{ Federated }`. */
  Principal?: '*' | Record<string, string | string[]>;
  NotPrincipal?: Record<string, string | string[]>;
  /** `{ Operator: { key: value | [values] } }`, e.g. `{ StringEquals: { "sts:ExternalId": "abc" } }`. */
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export type Tags = Record<string, string>;

// ---------------------------------------------------------------------------------------------------------
// Global catalogue (same for every account): regions, AZs, instance types, EKS versions, AWS managed policies
// ---------------------------------------------------------------------------------------------------------

export interface AvailabilityZone {
  /** e.g. `us-east-1a`. One name→id mapping per region (real AWS shuffles names per account; we do not). */
  name: string;
  /** e.g. `use1-az1`. */
  zoneId: string;
  /** False for AZs where EKS has no control-plane capacity (CreateCluster → UnsupportedAvailabilityZoneException). */
  eksSupported: boolean;
}

/** One Kubernetes version as `eks:DescribeClusterVersions` reports it. */
export interface EksVersion {
  /** e.g. `1.33`. */
  version: string;
  status: 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT' | 'UNSUPPORTED';
  /** AWS marks exactly one version per region as the default for CreateCluster without a version. */
  defaultVersion?: boolean;
  /** e.g. `eks.9`. */
  platformVersion: string;
  /** e.g. `1.33.4`. */
  kubernetesPatchVersion?: string;
  releaseDate: string;
  endOfStandardSupportDate: string;
  endOfExtendedSupportDate: string;
}

export interface Region {
  /** e.g. `us-east-1`. */
  name: string;
  /** True for opt-in regions (DescribeRegions OptInStatus `opted-in`/`not-opted-in`; default `opt-in-not-required`). */
  optInRequired?: boolean;
  availabilityZones: AvailabilityZone[];
  /** Instance type → AZ names where it is offered (DescribeInstanceTypeOfferings). */
  instanceTypeOfferings: Record<string, string[]>;
  /** Kubernetes versions EKS offers in this region. */
  eksVersions: EksVersion[];
}

/** Minimal DescribeInstanceTypes facts. */
export interface InstanceType {
  /** e.g. `t3.medium`. */
  name: string;
  vCpus: number;
  memoryMiB: number;
  architectures: string[];
  currentGeneration: boolean;
}

/**
 * A managed policy. AWS managed policies have no `accountId` and an ARN `arn:aws:iam::aws:policy/<path><name>`,
 * e.g. `arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy`. Customer managed ones carry `accountId`.
 */
export interface ManagedPolicy {
  arn: string;
  name: string;
  /** `/` or e.g. `/service-role/`. */
  path: string;
  policyId: string;
  accountId?: string;
  description?: string;
  document: PolicyDocument;
  defaultVersionId: string;
  createDate: string;
}

// ---------------------------------------------------------------------------------------------------------
// Accounts and IAM
// ---------------------------------------------------------------------------------------------------------

export interface Quotas {
  /** EC2 "VPCs per Region" (AWS default 5). */
  vpcsPerRegion: number;
  /** EKS "Clusters" per region (AWS default 100). */
  clustersPerRegion: number;
  /** EKS "Managed node groups per cluster" (AWS default 30). */
  nodegroupsPerCluster?: number;
}

export interface Account {
  /** 12 digits. */
  id: string;
  alias?: string;
  /** Regions this account may call (others answer as AWS does for a region not enabled). */
  enabledRegions: string[];
  /**
   * Regions whose STS endpoint the account has deactivated (IAM → Account settings). AssumeRole of this
   * account's roles there fails with RegionDisabledException, the seed's "region access" check. Optional.
   */
  stsInactiveRegions?: string[];
  quotas: Quotas;
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
  createDate: string;
}

export interface IamUser {
  accountId: string;
  name: string;
  /** `AIDA…` unique id. */
  userId: string;
  arn: string;
  path: string;
  accessKeys: AccessKey[];
  /** Inline policies by name. */
  inlinePolicies: Record<string, PolicyDocument>;
  attachedPolicyArns: string[];
  tags: Tags;
  createDate: string;
}

export interface IamRole {
  accountId: string;
  name: string;
  /** `AROA…` unique id. */
  roleId: string;
  arn: string;
  path: string;
  assumeRolePolicyDocument: PolicyDocument;
  description?: string;
  /** Seconds, 3600–43200 (AWS default 3600). */
  maxSessionDuration: number;
  inlinePolicies: Record<string, PolicyDocument>;
  attachedPolicyArns: string[];
  permissionsBoundaryArn?: string;
  tags: Tags;
  createDate: string;
}

/** Credentials issued by sts:AssumeRole; the access key (`ASIA…`) identifies the session on later calls. */
export interface StsSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleArn: string;
  roleName: string;
  roleId: string;
  sessionName: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  assumedRoleArn: string;
  expiration: string;
  /** Inline session policy passed to AssumeRole; effective permissions are the intersection. */
  sessionPolicy?: PolicyDocument;
  /** ARN of whoever assumed the role (for audit and inspection). */
  sourceArn: string;
  externalId?: string;
}

// ---------------------------------------------------------------------------------------------------------
// EC2 (regional)
// ---------------------------------------------------------------------------------------------------------

export interface Vpc {
  accountId: string;
  region: string;
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
  state: 'available' | 'pending';
  tags: Tags;
}

export interface Subnet {
  accountId: string;
  region: string;
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  /** AZ name, e.g. `us-east-1d`; the zone id follows from the region catalogue. */
  availabilityZone: string;
  availableIpAddressCount: number;
  mapPublicIpOnLaunch: boolean;
  defaultForAz: boolean;
  state: 'available' | 'pending';
  tags: Tags;
}

export interface SecurityGroupRule {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIps?: string[];
  sourceGroupIds?: string[];
}

export interface SecurityGroup {
  accountId: string;
  region: string;
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
  tags: Tags;
}

export interface KeyPair {
  accountId: string;
  region: string;
  keyName: string;
  keyPairId: string;
  keyFingerprint: string;
  keyType: 'rsa' | 'ed25519';
  createTime: string;
  tags: Tags;
}

// ---------------------------------------------------------------------------------------------------------
// EKS (regional; created by the CloudFormation engine, read by the EKS describe calls)
// Field names follow the EKS API (camelCase) so the EKS module returns them nearly as is.
// ---------------------------------------------------------------------------------------------------------

export interface EksHealthIssue {
  code: string;
  message: string;
  resourceIds?: string[];
}

export interface EksCluster {
  accountId: string;
  region: string;
  name: string;
  arn: string;
  version: string;
  platformVersion: string;
  roleArn: string;
  status: 'CREATING' | 'ACTIVE' | 'DELETING' | 'FAILED' | 'UPDATING' | 'PENDING';
  /** `https://<hex>.gr7.<region>.eks.amazonaws.com` once ACTIVE. */
  endpoint?: string;
  /** Base64 PEM of the cluster CA once ACTIVE. */
  certificateAuthorityData?: string;
  /** `https://oidc.eks.<region>.amazonaws.com/id/<HEX>` once ACTIVE. */
  oidcIssuer?: string;
  resourcesVpcConfig: {
    subnetIds: string[];
    securityGroupIds: string[];
    clusterSecurityGroupId?: string;
    vpcId: string;
    endpointPublicAccess: boolean;
    endpointPrivateAccess: boolean;
    publicAccessCidrs?: string[];
  };
  kubernetesNetworkConfig?: { serviceIpv4Cidr?: string; ipFamily?: 'ipv4' | 'ipv6' };
  accessConfig?: {
    authenticationMode?: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';
    bootstrapClusterCreatorAdminPermissions?: boolean;
  };
  logging?: unknown;
  /** EKS's support policy at the end of standard support (AWS's default: EXTENDED). */
  upgradePolicy?: { supportType: 'STANDARD' | 'EXTENDED' };
  health?: { issues: EksHealthIssue[] };
  tags: Tags;
  createdAt: string;
}

export interface EksNodegroup {
  accountId: string;
  region: string;
  clusterName: string;
  nodegroupName: string;
  nodegroupArn: string;
  version: string;
  releaseVersion?: string;
  status: 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' | 'CREATE_FAILED' | 'DELETE_FAILED' | 'DEGRADED';
  capacityType: 'ON_DEMAND' | 'SPOT';
  scalingConfig: { minSize: number; maxSize: number; desiredSize: number };
  instanceTypes: string[];
  subnets: string[];
  amiType: string;
  diskSize?: number;
  nodeRole: string;
  remoteAccess?: { ec2SshKey?: string; sourceSecurityGroups?: string[] };
  launchTemplate?: { name?: string; version?: string; id?: string };
  labels?: Record<string, string>;
  /** e.g. `{ autoScalingGroups: [{ name }], remoteAccessSecurityGroup }`. */
  resources?: { autoScalingGroups?: { name: string }[]; remoteAccessSecurityGroup?: string };
  /** `NodeCreationFailure` etc. land here. */
  health: { issues: EksHealthIssue[] };
  tags: Tags;
  createdAt: string;
  modifiedAt: string;
  /**
   * When the current nodes registered with the cluster: the group becoming ACTIVE, or the end of a version
   * roll that replaced them. Not an AWS field: a scaling or a failed update changes `modifiedAt` but does not
   * restart the nodes (their pods stay Ready, as in EKS).
   */
  nodesLaunchedAt?: string;
}

export interface EksAddon {
  accountId: string;
  region: string;
  clusterName: string;
  addonName: string;
  addonArn: string;
  addonVersion: string;
  status:
    | 'CREATING'
    | 'ACTIVE'
    | 'CREATE_FAILED'
    | 'UPDATING'
    | 'DELETING'
    | 'DELETE_FAILED'
    | 'DEGRADED'
    | 'UPDATE_FAILED';
  serviceAccountRoleArn?: string;
  configurationValues?: string;
  health: { issues: EksHealthIssue[] };
  podIdentityAssociations?: string[];
  tags: Tags;
  createdAt: string;
  modifiedAt: string;
}

export interface EksAccessEntry {
  accountId: string;
  region: string;
  clusterName: string;
  principalArn: string;
  accessEntryArn: string;
  kubernetesGroups: string[];
  username?: string;
  type: 'STANDARD' | 'EC2_LINUX' | 'EC2_WINDOWS' | 'FARGATE_LINUX';
  /** Associated access policies (e.g. `arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`). */
  accessPolicies: { policyArn: string; accessScope: { type: 'cluster' | 'namespace'; namespaces?: string[] } }[];
  tags: Tags;
  createdAt: string;
  modifiedAt: string;
}

export interface EksPodIdentityAssociation {
  accountId: string;
  region: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  associationArn: string;
  associationId: string;
  tags: Tags;
  createdAt: string;
  modifiedAt: string;
}

// ---------------------------------------------------------------------------------------------------------
// EventBridge
// ---------------------------------------------------------------------------------------------------------

export interface EventBus {
  accountId: string;
  region: string;
  name: string;
  arn: string;
  /** Every account/region has a `default` bus without listing it here. */
  createdAt: string;
}

/** An event accepted by PutEvents, as the inspection endpoint shows it. */
export interface CapturedEvent {
  eventId: string;
  accountId: string;
  region: string;
  eventBusName: string;
  source: string;
  detailType: string;
  /** Parsed `Detail` JSON (raw string kept when it is not JSON). */
  detail: unknown;
  resources: string[];
  time: string;
}

// ---------------------------------------------------------------------------------------------------------
// World-wide flags: behaviour switches tests set from world JSON.
// ---------------------------------------------------------------------------------------------------------

export interface WorldFlags {
  /** Managed node groups fail with health issue `NodeCreationFailure` ("Instances failed to join the kubernetes cluster"). */
  nodesFailToJoin: boolean;
  /** Added to every delay the CloudFormation engine simulates, before time scaling (ms); 0 by default. */
  extraProvisioningDelayMs?: number;
  /**
   * EKS upgrade insights: "Deprecated APIs removed in Kubernetes v<next>" is ERROR (a client still calls
   * an API the next minor removes), so an upgrade pre-flight that reads insights refuses.
   */
  upgradeInsightError?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// The whole world
// ---------------------------------------------------------------------------------------------------------

export interface WorldData {
  /** Always `aws` for now; kept so ARNs are built from one place. */
  partition: 'aws';
  regions: Region[];
  instanceTypes: InstanceType[];
  /** AWS managed policies (no accountId) and customer managed policies (with accountId). */
  managedPolicies: ManagedPolicy[];
  accounts: Account[];
  users: IamUser[];
  roles: IamRole[];
  stsSessions: StsSession[];
  vpcs: Vpc[];
  subnets: Subnet[];
  securityGroups: SecurityGroup[];
  keyPairs: KeyPair[];
  eksClusters: EksCluster[];
  eksNodegroups: EksNodegroup[];
  eksAddons: EksAddon[];
  eksAccessEntries: EksAccessEntry[];
  eksPodIdentityAssociations: EksPodIdentityAssociation[];
  eventBuses: EventBus[];
  flags: WorldFlags;
  /** Private state of service modules, keyed by service name (e.g. `cloudformation`). JSON-serialisable. */
  services: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------
// Who is calling (resolved from the SigV4 access key by the server)
// ---------------------------------------------------------------------------------------------------------

export type Principal =
  | {
      kind: 'user';
      accountId: string;
      /** `arn:aws:iam::<acct>:user/<path><name>` */
      arn: string;
      /** `AIDA…` */
      userId: string;
      user: IamUser;
      accessKeyId: string;
    }
  | {
      kind: 'assumed-role';
      accountId: string;
      /** `arn:aws:sts::<acct>:assumed-role/<role>/<session>` */
      arn: string;
      /** `AROA…:<session>` as GetCallerIdentity shows it. */
      userId: string;
      role: IamRole;
      session: StsSession;
      accessKeyId: string;
    }
  | {
      /** An AWS service acting on its own (e.g. `eks.amazonaws.com` assuming role A). */
      kind: 'service';
      service: string;
      accountId: string;
      arn: string;
      userId: string;
    };
