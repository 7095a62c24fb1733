/**
 * The end page's story beyond status: what ConfigureCluster did inside the cluster (nodes ready, the
 * default storage class, managed namespaces) and the settings the cluster was created with.
 */
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import type { ClusterRecord } from '../api/types';

interface Configuration {
  nodesReady: number;
  nodesExpected: number;
  storageClass: { name: string; provisioner: string; created: boolean; undefaulted: string[] };
  namespaces: Array<{ name: string; created: boolean; serviceAccount: string; clusterRole: string }>;
  configuredAt: string;
}

export function Configuration({ record }: { record: ClusterRecord }) {
  const c = record.outputs?.['configuration'] as Configuration | undefined;
  if (!c) return null;
  const sc = c.storageClass;
  return (
    <Container
      header={
        <Header
          variant="h2"
          description={`Checked and set up inside the cluster at ${new Date(c.configuredAt).toLocaleString()}.`}
        >
          Inside the cluster
        </Header>
      }
    >
      <KeyValuePairs
        columns={3}
        items={[
          {
            label: 'Nodes ready',
            value: <span data-testid="nodes-ready">{`${c.nodesReady} of ${c.nodesExpected}`}</span>,
          },
          {
            label: 'Default storage class',
            value: (
              <span data-testid="storage-class">
                {sc.name} ({sc.provisioner}, {sc.created ? 'created by the service' : 'made by the EBS CSI add-on'}
                {sc.undefaulted.length ? `; no longer default: ${sc.undefaulted.join(', ')}` : ''})
              </span>
            ),
          },
          {
            label: 'Namespaces',
            value: c.namespaces.length ? (
              <ul data-testid="namespaces-made">
                {c.namespaces.map((n) => (
                  <li key={n.name}>
                    {n.name}
                    {n.created ? '' : ' (already there)'}: service account {n.serviceAccount} bound to {n.clusterRole}
                  </li>
                ))}
              </ul>
            ) : (
              'none (not a managed cluster)'
            ),
          },
        ]}
      />
    </Container>
  );
}

const show = (v: unknown): string =>
  Array.isArray(v)
    ? v.length
      ? v.join(', ')
      : '—'
    : v === undefined || v === null || v === ''
      ? '—'
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

const LABELS: Array<[string, string]> = [
  ['name', 'Kubernetes cluster name'],
  ['environmentScope', 'Environment scope'],
  ['region', 'Cluster Region'],
  ['provisionRoleArn', 'Role B (provision role)'],
  ['serviceRoleArn', 'Service role (role A)'],
  ['kubernetesVersion', 'Kubernetes version'],
  ['vpcId', 'VPC'],
  ['subnetIds', 'Subnets'],
  ['securityGroupIds', 'Security groups'],
  ['instanceType', 'Instance type'],
  ['nodeCount', 'Number of nodes'],
  ['keyName', 'Key pair'],
  ['managed', 'Managed cluster'],
  ['namespaces', 'Namespaces'],
  ['adminPrincipalArns', 'Cluster administrators'],
  ['deployPrincipalArns', 'Deploy roles'],
  ['onFailure', 'On failure'],
];

export function SettingsUsed({ record }: { record: ClusterRecord }) {
  const s = record.settings ?? {};
  return (
    <Container header={<Header variant="h2">Settings used</Header>}>
      <div data-testid="settings-used">
        <KeyValuePairs
          columns={3}
          items={LABELS.filter(([k]) => k in s).map(([k, label]) => ({
            label,
            value: <Box>{k === 'managed' ? (s[k] ? 'yes' : 'no') : show(s[k])}</Box>,
          }))}
        />
      </div>
    </Container>
  );
}
