/**
 * Availability Zone ids where Amazon EKS cannot create a control plane (EKS user guide, "View
 * Amazon EKS networking requirements"). Zone names map to different ids per account; ids do not.
 * The pre-flight refuses them; the form-data route marks them in the subnet list.
 */
export const EKS_UNSUPPORTED_AZ_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['use1-az3'],
  'us-west-1': ['usw1-az2'],
  'ca-central-1': ['cac1-az3'],
};

/** False when EKS cannot place a control plane in this zone id of this region. */
export function eksControlPlaneSupported(region: string, availabilityZoneId: string | undefined): boolean {
  return !availabilityZoneId || !(EKS_UNSUPPORTED_AZ_IDS[region] ?? []).includes(availabilityZoneId);
}
