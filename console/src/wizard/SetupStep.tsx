/** Step 1: what the customer needs to create role B and role A in their own account. */
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { Setup } from '../api/types';
import JsonBlock from '../components/JsonBlock';

const copyable = (label: string, value: string) => (
  <CopyToClipboard
    variant="inline"
    textToCopy={value}
    copyButtonAriaLabel={`Copy ${label}`}
    copySuccessText={`${label} copied`}
    copyErrorText={`${label} could not be copied`}
  />
);

export default function SetupStep({ setup }: { setup: Setup }) {
  const prefix = setup.roleNamePrefix ?? 'eks-provisioner-';
  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header
            variant="h2"
            description="Role B (the provision role) trusts this account and requires this External ID."
          >
            Service identity
          </Header>
        }
      >
        <KeyValuePairs
          columns={2}
          items={[
            { label: 'Account ID', id: 'account-id', value: copyable('Account ID', setup.accountId) },
            { label: 'External ID', id: 'external-id', value: copyable('External ID', setup.externalId) },
          ]}
        />
      </Container>

      <Container
        header={
          <Header
            variant="h2"
            description="Lets the service create the cluster's resources in your account; it cannot delete what it did not create."
          >
            Role B — the provision role
          </Header>
        }
      >
        <SpaceBetween size="m">
          <ol>
            <li>
              In the{' '}
              <Link external href="https://console.aws.amazon.com/iam/home#/roles">
                IAM console
              </Link>
              , choose <strong>Roles</strong> → <strong>Create role</strong> → <strong>Custom trust policy</strong>, and
              paste the trust policy below (Another AWS account = the Account ID above, Require external ID = the
              External ID above).
            </li>
            <li>
              Add an inline policy with the permissions policy below (<strong>JSON</strong> tab).
            </li>
            <li>
              Name the role with the prefix <Box variant="code">{prefix}</Box>
              {setup.exampleProvisionRoleArn ? (
                <>
                  , e.g. <Box variant="code">{setup.exampleProvisionRoleArn}</Box>
                </>
              ) : null}
              , create it and copy its <strong>Role ARN</strong> for the next step.
            </li>
          </ol>
          <ExpandableSection headerText="Trust policy (trust relationships)" variant="container" defaultExpanded>
            <JsonBlock label="trust policy" value={setup.provisionRoleTrustPolicy} />
          </ExpandableSection>
          <ExpandableSection headerText="Permissions policy" variant="container">
            <JsonBlock label="permissions policy" value={setup.provisionRolePolicy} />
          </ExpandableSection>
          {setup.provisionRoleDeleteStatement && (
            <ExpandableSection
              headerText="Optional: let the service delete the clusters it created"
              variant="container"
            >
              <SpaceBetween size="xs">
                <Box>
                  Add this statement to the permissions policy's Statement list. Without it, Delete is refused with the
                  commands to delete the stack yourself.
                </Box>
                <JsonBlock label="delete statement" value={setup.provisionRoleDeleteStatement} />
              </SpaceBetween>
            </ExpandableSection>
          )}
        </SpaceBetween>
      </Container>

      <Container
        header={
          <Header
            variant="h2"
            description="The Service role of the cluster: EKS uses it to manage AWS resources for Kubernetes."
          >
            Role A — the cluster service role
          </Header>
        }
      >
        <ol>
          <li>
            Create a role whose trusted entity is the AWS service{' '}
            <Box variant="code">{setup.clusterRoleTrustedService ?? 'eks.amazonaws.com'}</Box> (use case{' '}
            <strong>EKS – Cluster</strong>), as in{' '}
            <Link external href="https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html">
              Amazon EKS cluster IAM role
            </Link>
            .
          </li>
          <li>
            Attach the managed {setup.clusterRoleManagedPolicies.length > 1 ? 'policies' : 'policy'}{' '}
            {setup.clusterRoleManagedPolicies.map((p) => (
              <span key={p}>{copyable('managed policy ARN', p)} </span>
            ))}
            — without it, cluster creation fails with “The provided role doesn't have the Amazon EKS Managed Policies
            associated with it”.
          </li>
          <li>You pick it as the Service role in step 3.</li>
        </ol>
      </Container>
    </SpaceBetween>
  );
}
