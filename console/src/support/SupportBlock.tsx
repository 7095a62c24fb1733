/**
 * The cluster's Kubernetes version support (the API's `support` view): type, policy, dates, and the
 * warning under 90 days. The API sends only dates stored for the version the cluster runs (an upgrade
 * stores the new version's), so what is shown here is always the running version's.
 */
import Alert from '@cloudscape-design/components/alert';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ClusterSupport } from '../api/types';
import { day, SUPPORT_POLICY_TEXT } from './support-text';

const TYPE_TEXT: Record<string, string> = {
  STANDARD: 'Standard support',
  EXTENDED: 'Extended support',
  ENDED: 'Support ended',
};

export default function SupportBlock({ support: s }: { support: ClusterSupport }) {
  const policy =
    s.upgradePolicy === 'STANDARD' || s.upgradePolicy === 'EXTENDED' ? SUPPORT_POLICY_TEXT[s.upgradePolicy] : undefined;
  return (
    <Container
      data-testid="support-block"
      header={
        <Header variant="h2" description={policy}>
          Kubernetes {s.kubernetesVersion} support
        </Header>
      }
    >
      <SpaceBetween size="m">
        {s.warning && (
          <Alert
            type="warning"
            header={
              s.daysLeft !== undefined && s.daysLeft > 0 ? `${s.daysLeft} days of support left` : 'Support has ended'
            }
            data-testid="support-warning"
          >
            {s.warning}
          </Alert>
        )}
        <KeyValuePairs
          columns={4}
          items={[
            { label: 'Now in', value: <span data-testid="support-type">{TYPE_TEXT[s.type] ?? s.type}</span> },
            {
              label: 'Support policy',
              value: `${s.upgradePolicy}${s.upgradePolicyAssumed ? ' (AWS’s default: none was set)' : ''}`,
            },
            { label: 'Standard support ends', value: day(s.standardSupportEndsAt) ?? '—' },
            { label: 'Extended support ends', value: day(s.extendedSupportEndsAt) ?? '—' },
            ...(s.daysLeft !== undefined
              ? [
                  {
                    label: 'Days left in the current support',
                    value: <span data-testid="support-days-left">{String(Math.max(0, s.daysLeft))}</span>,
                  },
                ]
              : []),
          ]}
        />
      </SpaceBetween>
    </Container>
  );
}
