/**
 * How long CloudFormation typically takes per resource type of the cluster template, as a shifted
 * log-normal: never faster than `min`, half the time faster than `median`, spread `sigma` (of
 * ln(d - min)). From observed EKS stack creations (control plane 8–11 min, managed node group
 * 2–4 min, add-ons well under 2 min). The poll planner reasons with these; the local sandbox may
 * use them to pace its simulated stacks.
 */
export interface DurationModel {
  min: number;
  median: number;
  sigma: number;
}

export const RESOURCE_DURATIONS: Record<string, DurationModel> = {
  'AWS::IAM::Role': { min: 3, median: 12, sigma: 0.45 },
  'AWS::EKS::Cluster': { min: 390, median: 540, sigma: 0.4 },
  'AWS::EKS::Addon': { min: 12, median: 40, sigma: 0.45 },
  'AWS::EKS::Nodegroup': { min: 80, median: 170, sigma: 0.35 },
  'AWS::EKS::AccessEntry': { min: 1, median: 5, sigma: 0.5 },
};

/**
 * Deleting, per resource type (keys `delete:<type>`): EKS control plane 3–8 min, managed node group
 * 3–6 min (instances drained and terminated), add-ons well under a minute, IAM roles seconds.
 */
export const DELETE_DURATIONS: Record<string, DurationModel> = {
  'delete:AWS::IAM::Role': { min: 1, median: 4, sigma: 0.5 },
  'delete:AWS::EKS::Cluster': { min: 120, median: 260, sigma: 0.4 },
  'delete:AWS::EKS::Addon': { min: 5, median: 30, sigma: 0.5 },
  'delete:AWS::EKS::Nodegroup': { min: 120, median: 250, sigma: 0.35 },
  'delete:AWS::EKS::AccessEntry': { min: 1, median: 3, sigma: 0.5 },
};

/**
 * Updating in place, per resource type (keys `update:<type>`): a control-plane version upgrade
 * 6–15 min, a managed node group roll (new nodes up, old ones drained, one at a time) 3–12 min,
 * add-ons and access entries well under a minute.
 */
export const UPDATE_DURATIONS: Record<string, DurationModel> = {
  'update:AWS::IAM::Role': { min: 1, median: 5, sigma: 0.5 },
  'update:AWS::EKS::Cluster': { min: 360, median: 560, sigma: 0.5 },
  'update:AWS::EKS::Addon': { min: 5, median: 35, sigma: 0.6 },
  'update:AWS::EKS::Nodegroup': { min: 120, median: 330, sigma: 0.55 },
  'update:AWS::EKS::AccessEntry': { min: 1, median: 4, sigma: 0.5 },
};

/** Anything else: a wide guess. */
export const DEFAULT_DURATION: DurationModel = { min: 2, median: 30, sigma: 0.8 };

/** Between a dependency finishing and the next resource starting; and last resource → stack status. */
export const DISPATCH_SECONDS = 1;
export const STACK_SETTLE_SECONDS = 1;

export const durationOf = (type: string): DurationModel =>
  RESOURCE_DURATIONS[type] ?? DELETE_DURATIONS[type] ?? UPDATE_DURATIONS[type] ?? DEFAULT_DURATION;
