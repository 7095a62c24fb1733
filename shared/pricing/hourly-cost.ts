/**
 * An up-front hourly cost estimate for a cluster: the EKS control plane plus the worker nodes'
 * EC2 on-demand price, from a dated table shipped with the service (no network: prices are
 * public, but the Price List API is not reachable from every install, nor from the tests).
 *
 * Source: AWS's public list prices — https://aws.amazon.com/eks/pricing/ (control plane per cluster
 * hour) and https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, on-demand, per instance hour) —
 * as published in June 2024 (PRICES_AS_OF). Not included: EBS volumes, data transfer, NAT gateways,
 * load balancers, taxes, Savings Plans or Spot. The UI states the source and the date.
 */

export const PRICES_AS_OF = '2024-06';
export const PRICE_SOURCES = [
  'https://aws.amazon.com/eks/pricing/',
  'https://aws.amazon.com/ec2/pricing/on-demand/',
] as const;

/** USD per cluster hour: standard support, and extended support (versions past their standard support end). */
export const EKS_CONTROL_PLANE_USD_PER_HOUR = { standard: 0.1, extended: 0.6 } as const;

/** USD per instance hour, Linux on-demand. These regions list the same prices for these types. */
const US_PRICES: Record<string, number> = {
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  't3.2xlarge': 0.3328,
  'm5.large': 0.096,
  'm5.xlarge': 0.192,
  'm5.2xlarge': 0.384,
  'm5.4xlarge': 0.768,
  'm6i.large': 0.096,
  'm6i.xlarge': 0.192,
  'm6g.large': 0.077,
  'm6g.xlarge': 0.154,
  'm7i.large': 0.1008,
  'm7i.xlarge': 0.2016,
  'c5.large': 0.085,
  'c5.xlarge': 0.17,
  'c6i.large': 0.085,
  'c6i.xlarge': 0.17,
  'r5.large': 0.126,
  'r5.xlarge': 0.252,
};

export const EC2_USD_PER_HOUR: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'us-east-1': US_PRICES,
  'us-east-2': US_PRICES,
  'us-west-2': US_PRICES,
};

export interface HourlyEstimate {
  controlPlane: number;
  /** Undefined when the table has no price for this type in this region. */
  nodes?: number;
  nodePrice?: number;
  /** controlPlane + nodes, when both are known. */
  total?: number;
  support: 'standard' | 'extended';
  asOf: string;
}

/** `versionStatus`: DescribeClusterVersions' status of the chosen version (EXTENDED_SUPPORT costs more). */
export function hourlyEstimate(p: {
  region: string;
  instanceType: string;
  nodeCount: number;
  versionStatus?: string;
}): HourlyEstimate {
  const support = p.versionStatus === 'EXTENDED_SUPPORT' ? 'extended' : 'standard';
  const controlPlane = EKS_CONTROL_PLANE_USD_PER_HOUR[support];
  const nodePrice = EC2_USD_PER_HOUR[p.region]?.[p.instanceType];
  const count = Number.isInteger(p.nodeCount) && p.nodeCount > 0 ? p.nodeCount : 0;
  if (nodePrice === undefined) return { controlPlane, support, asOf: PRICES_AS_OF };
  const nodes = round4(nodePrice * count);
  return { controlPlane, nodes, nodePrice, total: round4(controlPlane + nodes), support, asOf: PRICES_AS_OF };
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** "$0.1832 per hour (about $134 per month of 730 hours)". */
export function formatHourly(usd: number): string {
  return `$${usd.toFixed(4)} per hour (about $${Math.round(usd * 730)} per month)`;
}
