/**
 * Step 4: review before "Create Kubernetes cluster" — every setting, what the stack will create in the
 * customer's account, the API server endpoint's access, and an hourly cost estimate with its source
 * (a dated table shipped with the service: shared/pricing).
 */
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMemo } from 'react';
import { formatHourly, hourlyEstimate, PRICE_SOURCES } from '../../../shared/pricing/hourly-cost';
import type { ClusterSettings, FormItem, RegisteredRole } from '../api/types';
import { useList } from './useList';

const list = (xs: string[] | undefined) => (xs?.length ? xs.join(', ') : '—');

export default function ReviewStep({ settings, role }: { settings: ClusterSettings; role: RegisteredRole }) {
  const q = useMemo(() => ({ roleArn: role.roleArn, region: role.region }), [role.roleArn, role.region]);
  const versions = useList<FormItem & { status?: string; recommended?: boolean }>('kubernetes-versions', q);
  const version = settings.kubernetesVersion ?? versions.items.find((v) => v.recommended)?.id;
  const versionStatus = versions.items.find((v) => v.id === version)?.status;
  const cost = hourlyEstimate({
    region: settings.region,
    instanceType: settings.instanceType,
    nodeCount: settings.nodeCount,
    ...(versionStatus ? { versionStatus } : {}),
  });
  const stackName = `eks-provisioner-${settings.name}`;

  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">Cluster settings</Header>}>
        <KeyValuePairs
          columns={3}
          items={[
            { label: 'Kubernetes cluster name', value: settings.name },
            { label: 'Environment scope', value: settings.environmentScope },
            { label: 'Cluster Region', value: settings.region },
            { label: 'Account', value: <span className="nowrap">{role.accountId}</span> },
            { label: 'Role B (provision role)', value: settings.provisionRoleArn },
            { label: 'Service role (role A)', value: settings.serviceRoleArn },
            {
              label: 'Kubernetes version',
              value: version
                ? `${version}${settings.kubernetesVersion ? '' : ' (default)'}`
                : 'newest in standard support',
            },
            {
              label: 'Support policy',
              value: <span data-testid="review-support-policy">{settings.upgradePolicy ?? 'STANDARD'}</span>,
            },
            { label: 'VPC', value: settings.vpcId },
            { label: 'Subnets', value: list(settings.subnetIds) },
            { label: 'Security groups', value: list(settings.securityGroupIds) },
            { label: 'Instance type', value: settings.instanceType },
            { label: 'Number of nodes', value: String(settings.nodeCount) },
            { label: 'Key pair', value: settings.keyName ?? 'none (no SSH)' },
            { label: 'Managed cluster', value: settings.managed ? 'yes' : 'no' },
            ...(settings.managed && settings.namespaces?.length
              ? [{ label: 'Namespaces', value: list(settings.namespaces) }]
              : []),
            { label: 'Cluster administrators', value: list(settings.adminPrincipalArns) },
            ...(settings.deployPrincipalArns?.length
              ? [{ label: 'Deploy roles', value: list(settings.deployPrincipalArns) }]
              : []),
          ]}
        />
      </Container>

      <Container header={<Header variant="h2">What will be created</Header>}>
        <SpaceBetween size="s">
          <Box variant="p">
            In account <span className="nowrap">{role.accountId}</span>, {settings.region}, one CloudFormation stack{' '}
            <Box variant="code">{stackName}</Box> made through role B:
          </Box>
          <ul data-testid="review-creates">
            <li>
              an Amazon EKS cluster {settings.name} (Kubernetes {version ?? 'newest in standard support'}), using role
              A;
            </li>
            <li>
              a managed node group of {settings.nodeCount} × {settings.instanceType} with its IAM node role;
            </li>
            <li>the add-ons vpc-cni, kube-proxy, coredns and aws-ebs-csi-driver (with a default storage class);</li>
            <li>
              EKS access entries: role B (the creator) and{' '}
              {settings.adminPrincipalArns?.length
                ? `${settings.adminPrincipalArns.length} administrator${settings.adminPrincipalArns.length === 1 ? '' : 's'}`
                : 'no other administrator'}
              {settings.deployPrincipalArns?.length
                ? `, ${settings.deployPrincipalArns.length} deploy role${settings.deployPrincipalArns.length === 1 ? '' : 's'}`
                : ''}
              {';'}
            </li>
            {settings.managed && (
              <li>after the stack: a namespace per environment with a deployer service account (managed cluster).</li>
            )}
          </ul>
          <Box variant="p" data-testid="review-endpoint">
            <strong>API server endpoint access: public and private.</strong> kubectl reaches the cluster from the
            internet (every request is authenticated with IAM through EKS access entries); the nodes reach it inside the
            VPC.
          </Box>
        </SpaceBetween>
      </Container>

      <Container
        header={
          <Header variant="h2" description="Charged by AWS to your account while the cluster exists.">
            Estimated cost
          </Header>
        }
      >
        <SpaceBetween size="s">
          <ul data-testid="review-cost">
            <li>
              EKS control plane ({cost.support} support): ${cost.controlPlane.toFixed(2)} per hour
            </li>
            {cost.nodes !== undefined ? (
              <li>
                Nodes: {settings.nodeCount} × {settings.instanceType} at ${cost.nodePrice!.toFixed(4)} = $
                {cost.nodes.toFixed(4)} per hour
              </li>
            ) : (
              <li>
                Nodes: no price for {settings.instanceType} in {settings.region} in the shipped table — see the EC2
                on-demand pricing page.
              </li>
            )}
          </ul>
          {cost.total !== undefined && (
            <Box variant="h3" data-testid="review-total">
              Total: {formatHourly(cost.total)}
            </Box>
          )}
          <Alert type="info" header="How this is estimated">
            AWS on-demand list prices (Linux) from a price table shipped with this service, as of {cost.asOf} — not
            fetched live, so check today’s prices:{' '}
            <Link external href={PRICE_SOURCES[0]}>
              Amazon EKS pricing
            </Link>
            ,{' '}
            <Link external href={PRICE_SOURCES[1]}>
              EC2 on-demand pricing
            </Link>
            . Not included: EBS volumes, data transfer, NAT gateways, load balancers, taxes and discounts.
          </Alert>
        </SpaceBetween>
      </Container>
    </SpaceBetween>
  );
}
