/**
 * The editable settings of a CREATED cluster: Kubernetes version (the current one or the next minor),
 * support policy, instance type, node count, administrators and deploy roles. Errors come from the
 * caller (the API's schema, checked in the browser); this component only shows them on their fields.
 */
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import type { FieldError, FormItem } from '../api/types';
import SupportPolicyField from '../support/SupportPolicyField';
import { type VersionItem, versionSupportText, versionTags } from '../support/support-text';
import type { ListState } from '../wizard/useList';
import type { UpdateForm as Form } from './update-form';

interface Props {
  form: Form;
  current: { kubernetesVersion: string; instanceType: string };
  versions: VersionItem[];
  /** Why the versions EKS offers could not be listed (then only the current one is offered). */
  versionsError?: string;
  instanceTypes: ListState<FormItem>;
  managed: boolean;
  errors: FieldError[];
  onChange: (patch: Partial<Form>) => void;
  onLeave: (field: string) => void;
}

export default function UpdateForm({
  form,
  current,
  versions,
  versionsError,
  instanceTypes,
  managed,
  errors,
  onChange,
  onLeave,
}: Props) {
  const err = (field: string) => {
    const msgs = errors
      .filter((e) => (e.path.split(/[.[]/)[0] ?? e.path) === field)
      .map((e) => (e.path === field ? e.message : `${e.path}: ${e.message}`));
    return msgs.length ? msgs.join('; ') : undefined;
  };
  const versionOpts: SelectProps.Option[] = versions.map((v) => ({
    value: v.id,
    label: v.id === current.kubernetesVersion ? `${v.id} (current)` : `${v.id} (upgrade)`,
    description: versionSupportText(v),
    tags: versionTags(v),
  }));
  const chosen = versions.find((v) => v.id === form.kubernetesVersion);
  const typeIds = instanceTypes.items.map((t) => t.id);
  const typeOpts: SelectProps.Option[] = (
    typeIds.includes(current.instanceType) ? typeIds : [current.instanceType, ...typeIds]
  ).map((id) => ({
    value: id,
    label: id,
    ...(id === current.instanceType ? { tags: ['current'] } : {}),
  }));
  const selected = (opts: SelectProps.Option[], v: string) => opts.find((o) => o.value === v) ?? null;

  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header variant="h2" description="EKS upgrades one minor version at a time and never downgrades.">
            Kubernetes version and support
          </Header>
        }
      >
        <SpaceBetween size="m">
          <FormField
            label="Kubernetes version"
            errorText={
              err('kubernetesVersion') ??
              (versionsError
                ? `The versions EKS offers could not be listed through role B: ${versionsError}`
                : undefined)
            }
            constraintText={chosen ? versionSupportText(chosen) : undefined}
            data-testid="update-version-field"
          >
            <Select
              selectedOption={selected(versionOpts, form.kubernetesVersion)}
              options={versionOpts}
              onChange={({ detail }) =>
                onChange({ kubernetesVersion: detail.selectedOption.value ?? current.kubernetesVersion })
              }
              onBlur={() => onLeave('kubernetesVersion')}
              data-testid="update-version"
            />
          </FormField>
          <SupportPolicyField
            value={form.upgradePolicy}
            onChange={(upgradePolicy) => onChange({ upgradePolicy })}
            errorText={err('upgradePolicy')}
            testId="update-policy"
          />
        </SpaceBetween>
      </Container>

      <Container
        header={
          <Header variant="h2" description="A new instance type replaces the node group: every node is new.">
            Nodes
          </Header>
        }
      >
        <ColumnLayout columns={2}>
          <FormField label="Instance type" errorText={err('instanceType') ?? instanceTypes.error?.message}>
            <Select
              selectedOption={selected(typeOpts, form.instanceType)}
              options={typeOpts}
              onChange={({ detail }) => onChange({ instanceType: detail.selectedOption.value ?? current.instanceType })}
              onBlur={() => onLeave('instanceType')}
              statusType={
                instanceTypes.status === 'loading' ? 'loading' : instanceTypes.status === 'error' ? 'error' : 'finished'
              }
              loadingText="Loading instance types through role B"
              filteringType="auto"
              filteringAriaLabel="Filter"
              filteringClearAriaLabel="Clear filter"
              data-testid="update-instance-type"
            />
          </FormField>
          <FormField
            label="Number of nodes"
            description="1 to 450. Fewer nodes: the removed ones are drained first."
            errorText={err('nodeCount')}
          >
            <Input
              value={form.nodeCount}
              inputMode="numeric"
              onChange={({ detail }) => onChange({ nodeCount: detail.value })}
              onBlur={() => onLeave('nodeCount')}
              data-testid="update-node-count"
            />
          </FormField>
        </ColumnLayout>
      </Container>

      <Container
        header={
          <Header
            variant="h2"
            description="IAM principals given access to the Kubernetes API through EKS access entries."
          >
            Access
          </Header>
        }
      >
        <SpaceBetween size="m">
          <FormField
            label="Cluster administrators"
            description="Role or user ARNs (cluster-admin), one per line."
            errorText={err('adminPrincipalArns')}
          >
            <Textarea
              value={form.adminPrincipalArns}
              rows={3}
              onChange={({ detail }) => onChange({ adminPrincipalArns: detail.value })}
              onBlur={() => onLeave('adminPrincipalArns')}
              data-testid="update-admins"
            />
          </FormField>
          {managed && (
            <FormField
              label="Deploy roles"
              description="Role ARNs (edit in the managed namespaces), one per line, e.g. your CI system's role."
              errorText={err('deployPrincipalArns')}
            >
              <Textarea
                value={form.deployPrincipalArns}
                rows={3}
                onChange={({ detail }) => onChange({ deployPrincipalArns: detail.value })}
                onBlur={() => onLeave('deployPrincipalArns')}
                data-testid="update-deploy-roles"
              />
            </FormField>
          )}
        </SpaceBetween>
      </Container>
    </SpaceBetween>
  );
}
