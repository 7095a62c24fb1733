/**
 * Step 3: the seed's cluster settings. Every list comes from the customer's account through role B
 * (GET /v1/aws/…, all pages); subnets and security groups follow the VPC, key pairs the Cluster Region.
 * Field errors from the API land on their fields.
 */
import Box from '@cloudscape-design/components/box';
import Checkbox from '@cloudscape-design/components/checkbox';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Multiselect, { type MultiselectProps } from '@cloudscape-design/components/multiselect';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { useEffect, useMemo, useState } from 'react';
import { useConsole } from '../api/context';
import type { FieldError, FormItem, RoleItem, SubnetItem } from '../api/types';
import DiagnosisAlert, { fromApiError } from '../components/DiagnosisAlert';
import SupportPolicyField from '../support/SupportPolicyField';
import { type VersionItem, versionSupportText, versionTags } from '../support/support-text';
import { DEPLOY_FIELD, MAX_DEPLOY_ROLES, parseArnList } from './deploy-roles';
import { fieldOf, type SettingsForm } from './form';
import { type ListState, useList } from './useList';

export type { SettingsForm } from './form';

const NO_KEY = '';

function listHint(
  l: ListState<FormItem>,
  what: string,
): { errorText?: string; statusType: 'loading' | 'finished' | 'error'; empty: string } {
  const statusType = l.status === 'loading' ? 'loading' : l.status === 'error' ? 'error' : 'finished';
  return {
    statusType,
    ...(l.error ? { errorText: `${l.error.title ? `${l.error.title}: ` : ''}${l.error.message}` } : {}),
    empty: l.notice?.message ?? `No ${what} found.`,
  };
}

interface Props {
  roleArn: string;
  region: string;
  form: SettingsForm;
  /** A state setter: updates are functional, so lists arriving together never undo each other. */
  onChange: (update: (f: SettingsForm) => SettingsForm) => void;
  fieldErrors: FieldError[];
  /** A field was left: from then on the browser's check of it shows. */
  onLeaveField: (field: string) => void;
  /** The caller's IAM principal (GET /v1/setup `requester`), when the API knows it. */
  requester?: string;
  /** Role B's account (Authenticate with AWS): only a principal of that account is proposed. */
  accountId?: string;
}

export default function SettingsStep({
  roleArn,
  region,
  form,
  onChange,
  onLeaveField,
  fieldErrors,
  requester,
  accountId,
}: Props) {
  const { features } = useConsole();
  const q = useMemo(() => ({ roleArn, region }), [roleArn, region]);
  const roles = useList<RoleItem>('roles', q);
  const versions = useList<FormItem & VersionItem>('kubernetes-versions', q);
  const keyPairs = useList('key-pairs', q);
  const vpcs = useList('vpcs', q);
  const instanceTypes = useList('instance-types', q);
  const vpcQuery = useMemo(
    () => (form.vpcId ? { roleArn, region, vpcId: form.vpcId } : undefined),
    [roleArn, region, form.vpcId],
  );
  const subnets = useList<SubnetItem>('subnets', vpcQuery);
  const groups = useList<FormItem & { description?: string }>('security-groups', vpcQuery);
  const principals = useList<FormItem & { type?: string; arn?: string }>(
    'principals',
    features.principals ? q : undefined,
  );

  const set = (patch: Partial<SettingsForm>) => onChange((f) => ({ ...f, ...patch }));
  // Each field is checked once it is left (not while a value is half typed).
  const leave = (field: string) => () => onLeaveField(field);
  // The free-text administrators field keeps what is typed ("arn…, " included); the form holds the parsed list.
  const [adminText, setAdminText] = useState(() => form.adminPrincipalArns.join(', '));

  // The person asking becomes a cluster administrator by default when EKS can name them (an IAM
  // principal of the cluster's account): then their own kubeconfig works without role B.
  const proposeRequester = !!features.adminPrincipalArns && !!requester && requester.split(':')[4] === accountId;
  // biome-ignore lint/correctness/useExhaustiveDependencies: proposed once per requester; a removal by the user must stick.
  useEffect(() => {
    if (!proposeRequester || form.requesterProposed || !requester) return;
    onChange((f) => ({
      ...f,
      requesterProposed: true,
      adminPrincipalArns: f.adminPrincipalArns.includes(requester)
        ? f.adminPrincipalArns
        : [...f.adminPrincipalArns, requester],
    }));
    setAdminText((t) => (t.includes(requester) ? t : [t, requester].filter(Boolean).join(', ')));
  }, [proposeRequester, requester]);

  // Sensible defaults once the lists arrive: the API's default version, the only VPC.
  // biome-ignore lint/correctness/useExhaustiveDependencies: defaults are proposed when the list arrives, never over a later choice.
  useEffect(() => {
    if (!form.kubernetesVersion && versions.items.length) {
      const d = versions.items.find((v) => v.defaultVersion) ?? versions.items[0];
      if (d) set({ kubernetesVersion: d.id });
    }
  }, [versions.items]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: defaults are proposed when the list arrives, never over a later choice.
  useEffect(() => {
    // The API's recommended node type (t3.medium where offered), unless one is chosen.
    if (!form.instanceType && instanceTypes.items.length) {
      const d = instanceTypes.items.find((t) => t['recommended']);
      if (d) set({ instanceType: d.id });
    }
  }, [instanceTypes.items]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new key pair list may clear the chosen key, not each edit.
  useEffect(() => {
    if (form.keyName && keyPairs.status === 'finished' && !keyPairs.items.some((k) => k.id === form.keyName))
      set({ keyName: NO_KEY });
  }, [keyPairs.items]);

  const err = (field: string) => {
    const msgs = fieldErrors
      .filter((f) => fieldOf(f.path) === field)
      .map((f) => (f.path === field ? f.message : `${f.path}: ${f.message}`));
    return msgs.length ? msgs.join('; ') : undefined;
  };
  const deployRoles = parseArnList(form.deployPrincipalArns);

  const opt = (i: FormItem, description?: string, tags?: string[]): SelectProps.Option => ({
    value: i.id,
    label: i.name && i.name !== i.id ? i.name : i.id,
    ...(i.name && i.name !== i.id ? { labelTag: i.id } : {}),
    ...(description ? { description } : {}),
    ...(tags?.length ? { tags } : {}),
  });
  const selected = (opts: SelectProps.Option[], v: string) => opts.find((o) => o.value === v) ?? null;
  const selectedMany = (opts: MultiselectProps.Option[], vs: string[]) =>
    opts.filter((o) => o.value !== undefined && vs.includes(o.value));

  const roleOpts = roles.items.map((r) =>
    opt(
      { ...r, id: r.arn ?? r.id },
      r.arn ?? r.id,
      r.hasAmazonEKSClusterPolicy === false ? ['no AmazonEKSClusterPolicy'] : undefined,
    ),
  );
  const chosenRole = roles.items.find((r) => (r.arn ?? r.id) === form.serviceRoleArn);
  // Each version with its end of standard and of extended support (a version already in extended support says so).
  const versionOpts = versions.items.map((v) => opt(v, versionSupportText(v), versionTags(v)));
  const chosenVersion = versions.items.find((v) => v.id === form.kubernetesVersion);
  const keyOpts: SelectProps.Option[] = [
    { value: NO_KEY, label: 'No key pair', description: 'No SSH access to the nodes' },
    ...keyPairs.items.map((k) => opt(k)),
  ];
  const vpcOpts = vpcs.items.map((v) =>
    opt(v, [v['cidrBlock'], v['isDefault'] ? 'default VPC' : ''].filter(Boolean).join(' · ')),
  );
  // Zones where EKS cannot place a control plane (the pre-flight's list, from the API): marked before submit.
  const unsupported = (s: SubnetItem) => s['eksControlPlaneSupported'] === false;
  const subnetOpts = subnets.items.map((s) =>
    opt(
      s,
      `${s.availabilityZone} (${s.availabilityZoneId})${s.cidrBlock ? ` · ${s.cidrBlock}` : ''}`,
      unsupported(s) ? ['EKS cannot use this Availability Zone'] : undefined,
    ),
  );
  const badZones = [
    ...new Set(
      subnets.items
        .filter((s) => unsupported(s) && form.subnetIds.includes(s.id))
        .map((s) => `${s.availabilityZone} (${s.availabilityZoneId})`),
    ),
  ];
  const zoneError = badZones.length
    ? `EKS cannot create a control plane in ${badZones.join(', ')}: choose subnets in other Availability Zones.`
    : undefined;
  const groupOpts = groups.items.map((g) => opt(g, g.description));
  const gib = (mib: number) => `${Number((mib / 1024).toFixed(1))} GiB`;
  const typeOpts = instanceTypes.items.map((t) => {
    const size =
      typeof t['vCpus'] === 'number' && typeof t['memoryMiB'] === 'number'
        ? `${t['vCpus']} vCPU · ${gib(t['memoryMiB'])} memory`
        : undefined;
    return opt(t, size, t['recommended'] ? ['default'] : undefined);
  });
  const principalOpts = principals.items.map((p) =>
    opt({ ...p, id: p.arn ?? p.id }, p.arn ?? p.id, p.type ? [p.type] : undefined),
  );
  // The requester may be missing from the listed principals (e.g. a role with a path): still offer them.
  if (requester && proposeRequester && !principalOpts.some((o) => o.value === requester))
    principalOpts.unshift({
      value: requester,
      label: requester.split('/').pop() ?? requester,
      description: requester,
      tags: ['you'],
    });

  const h = {
    roles: listHint(roles, 'IAM roles trusted by EKS'),
    versions: listHint(versions, 'Kubernetes versions'),
    keyPairs: listHint(keyPairs, 'key pairs'),
    vpcs: listHint(vpcs, 'VPCs'),
    subnets: listHint(subnets, 'subnets in this VPC'),
    groups: listHint(groups, 'security groups in this VPC'),
    types: listHint(instanceTypes, 'instance types'),
    principals: listHint(principals, 'IAM roles or users'),
  };
  // One explanation per distinct refusal (e.g. role B may not ec2:DescribeSecurityGroups), with its fix.
  const listErrors = [roles, versions, keyPairs, vpcs, subnets, groups, instanceTypes, principals]
    .map((l) => l.error)
    .filter((e): e is NonNullable<typeof e> => !!e)
    .filter((e, i, all) => all.findIndex((x) => x.code === e.code && x.message === e.message) === i);
  const chosenAzs = new Set(subnets.items.filter((s) => form.subnetIds.includes(s.id)).map((s) => s.availabilityZone));

  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header variant="h2" description={`Created in ${region} through ${roleArn}`}>
            Cluster
          </Header>
        }
      >
        <ColumnLayout columns={2}>
          <FormField
            data-testid="name-field"
            label="Kubernetes cluster name"
            description="Letters, digits and hyphens; unique in the account and region."
            errorText={err('name')}
          >
            <Input
              value={form.name}
              onChange={({ detail }) => set({ name: detail.value })}
              ariaRequired
              onBlur={leave('name')}
              data-testid="name"
              spellcheck={false}
            />
          </FormField>
          <FormField
            label="Environment scope"
            description="The environments this cluster serves; * for all."
            errorText={err('environmentScope')}
          >
            <Input
              value={form.environmentScope}
              onChange={({ detail }) => set({ environmentScope: detail.value })}
              onBlur={leave('environmentScope')}
              data-testid="environment-scope"
            />
          </FormField>
          <FormField
            data-testid="service-role-field"
            label="Service role"
            description="Role A: trusted by eks.amazonaws.com, with AmazonEKSClusterPolicy."
            // EKS refuses a cluster role without AmazonEKSClusterPolicy: an error, not a warning.
            errorText={
              err('serviceRoleArn') ??
              (chosenRole?.hasAmazonEKSClusterPolicy === false
                ? `${chosenRole.name ?? chosenRole.id} does not have AmazonEKSClusterPolicy attached; EKS will refuse to create the cluster with it. Attach the policy to the role in the IAM console, or choose another role.`
                : undefined) ??
              h.roles.errorText
            }
          >
            <Select
              selectedOption={selected(roleOpts, form.serviceRoleArn)}
              options={roleOpts}
              onChange={({ detail }) => set({ serviceRoleArn: detail.selectedOption.value ?? '' })}
              placeholder="Choose role A"
              statusType={h.roles.statusType}
              loadingText="Loading roles through role B"
              errorText={h.roles.errorText}
              empty={h.roles.empty}
              filteringType="auto"
              filteringAriaLabel="Filter"
              filteringClearAriaLabel="Clear filter"
              ariaRequired
              onBlur={leave('serviceRoleArn')}
              data-testid="service-role"
            />
          </FormField>
          <FormField
            label="Kubernetes version"
            errorText={err('kubernetesVersion') ?? h.versions.errorText}
            constraintText={chosenVersion ? versionSupportText(chosenVersion) : undefined}
            data-testid="kubernetes-version-field"
          >
            <Select
              selectedOption={selected(versionOpts, form.kubernetesVersion)}
              options={versionOpts}
              onChange={({ detail }) => set({ kubernetesVersion: detail.selectedOption.value ?? '' })}
              statusType={h.versions.statusType}
              loadingText="Loading versions"
              errorText={h.versions.errorText}
              empty={h.versions.empty}
              data-testid="kubernetes-version"
            />
          </FormField>
        </ColumnLayout>
        <Box margin={{ top: 'm' }}>
          <SupportPolicyField
            value={form.upgradePolicy}
            onChange={(upgradePolicy) => set({ upgradePolicy })}
            errorText={err('upgradePolicy')}
            testId="support-policy"
          />
        </Box>
      </Container>

      <Container header={<Header variant="h2">Networking</Header>}>
        <SpaceBetween size="m">
          <FormField
            data-testid="vpc-field"
            label="VPC"
            description="The VPC for the cluster's resources."
            errorText={err('vpcId') ?? h.vpcs.errorText}
          >
            <Select
              selectedOption={selected(vpcOpts, form.vpcId)}
              options={vpcOpts}
              onChange={({ detail }) =>
                set({ vpcId: detail.selectedOption.value ?? '', subnetIds: [], securityGroupIds: [] })
              }
              placeholder="Choose a VPC"
              statusType={h.vpcs.statusType}
              loadingText="Loading VPCs through role B"
              errorText={h.vpcs.errorText}
              empty={h.vpcs.empty}
              filteringType="auto"
              filteringAriaLabel="Filter"
              filteringClearAriaLabel="Clear filter"
              ariaRequired
              onBlur={leave('vpcId')}
              data-testid="vpc"
            />
          </FormField>
          <FormField
            data-testid="subnets-field"
            label="Subnets"
            description="Where the worker nodes run: at least two, in at least two Availability Zones."
            errorText={err('subnetIds') ?? zoneError ?? h.subnets.errorText}
            constraintText={
              form.subnetIds.length
                ? `${form.subnetIds.length} selected in ${chosenAzs.size} Availability Zone${chosenAzs.size === 1 ? '' : 's'}`
                : undefined
            }
          >
            <Multiselect
              selectedOptions={selectedMany(subnetOpts, form.subnetIds)}
              options={subnetOpts}
              onChange={({ detail }) => set({ subnetIds: detail.selectedOptions.map((o) => o.value!).filter(Boolean) })}
              placeholder={form.vpcId ? 'Choose subnets' : 'Choose a VPC first'}
              disabled={!form.vpcId}
              statusType={h.subnets.statusType}
              loadingText="Loading subnets"
              errorText={h.subnets.errorText}
              empty={h.subnets.empty}
              filteringType="auto"
              filteringAriaLabel="Filter"
              filteringClearAriaLabel="Clear filter"
              ariaRequired
              deselectAriaLabel={(o) => `Remove ${o.label ?? o.value}`}
              onBlur={leave('subnetIds')}
              data-testid="subnets"
            />
          </FormField>
          <FormField
            label="Security groups"
            description="Applied to the EKS-managed network interfaces in the worker node subnets."
            errorText={err('securityGroupIds') ?? h.groups.errorText}
          >
            <Multiselect
              selectedOptions={selectedMany(groupOpts, form.securityGroupIds)}
              options={groupOpts}
              onChange={({ detail }) =>
                set({ securityGroupIds: detail.selectedOptions.map((o) => o.value!).filter(Boolean) })
              }
              placeholder={form.vpcId ? 'Choose security groups' : 'Choose a VPC first'}
              disabled={!form.vpcId}
              statusType={h.groups.statusType}
              loadingText="Loading security groups"
              errorText={h.groups.errorText}
              empty={h.groups.empty}
              filteringType="auto"
              filteringAriaLabel="Filter"
              filteringClearAriaLabel="Clear filter"
              deselectAriaLabel={(o) => `Remove ${o.label ?? o.value}`}
              onBlur={leave('securityGroupIds')}
              data-testid="security-groups"
            />
          </FormField>
        </SpaceBetween>
      </Container>

      <Container header={<Header variant="h2">Worker nodes</Header>}>
        <ColumnLayout columns={2}>
          <FormField
            data-testid="instance-type-field"
            label="Instance type"
            errorText={err('instanceType') ?? h.types.errorText}
          >
            <Select
              selectedOption={selected(typeOpts, form.instanceType)}
              options={typeOpts}
              onChange={({ detail }) => set({ instanceType: detail.selectedOption.value ?? '' })}
              placeholder="Choose an instance type"
              statusType={h.types.statusType}
              loadingText="Loading instance types offered in this region"
              errorText={h.types.errorText}
              empty={h.types.empty}
              filteringType="auto"
              filteringAriaLabel="Filter"
              filteringClearAriaLabel="Clear filter"
              ariaRequired
              onBlur={leave('instanceType')}
              data-testid="instance-type"
            />
          </FormField>
          <FormField data-testid="node-count-field" label="Number of nodes" errorText={err('nodeCount')}>
            <Input
              type="number"
              inputMode="numeric"
              value={form.nodeCount}
              onChange={({ detail }) => set({ nodeCount: detail.value })}
              ariaRequired
              onBlur={leave('nodeCount')}
              data-testid="node-count"
            />
          </FormField>
          <FormField
            label="Key pair name"
            description={`A key pair in ${region} for SSH to the nodes (optional).`}
            errorText={err('keyName') ?? h.keyPairs.errorText}
            warningText={keyPairs.notice?.message}
          >
            <Select
              selectedOption={selected(keyOpts, form.keyName)}
              options={keyOpts}
              onChange={({ detail }) => set({ keyName: detail.selectedOption.value ?? NO_KEY })}
              statusType={h.keyPairs.statusType}
              loadingText={`Loading key pairs in ${region}`}
              errorText={h.keyPairs.errorText}
              empty={h.keyPairs.empty}
              data-testid="key-pair"
            />
          </FormField>
        </ColumnLayout>
      </Container>

      <Container header={<Header variant="h2">Access</Header>}>
        <SpaceBetween size="m">
          <FormField
            label="Managed cluster"
            description="The platform manages a namespace and a deployer service account per environment."
            errorText={err('managed')}
          >
            <Checkbox
              checked={form.managed}
              onChange={({ detail }) => set({ managed: detail.checked })}
              data-testid="managed"
            >
              Managed cluster
            </Checkbox>
          </FormField>
          {features.namespaces && form.managed && (
            <FormField
              label="Namespaces"
              description="Comma-separated namespaces to create (optional)."
              errorText={err('namespaces')}
            >
              <Input
                value={form.namespaces}
                onChange={({ detail }) => set({ namespaces: detail.value })}
                onBlur={leave('namespaces')}
                data-testid="namespaces"
              />
            </FormField>
          )}
          {features.deployPrincipalArns && form.managed && (
            <FormField
              label="Deploy roles"
              description={`IAM roles (e.g. your CI system) given edit access in the managed namespaces through EKS access entries; one ARN per line, at most ${MAX_DEPLOY_ROLES} (optional).`}
              errorText={err(DEPLOY_FIELD)}
              constraintText={
                deployRoles.length ? `${deployRoles.length} role${deployRoles.length === 1 ? '' : 's'}` : undefined
              }
              stretch
              data-testid="deploy-principals-field"
            >
              <Textarea
                value={form.deployPrincipalArns}
                onChange={({ detail }) => set({ deployPrincipalArns: detail.value })}
                onBlur={leave(DEPLOY_FIELD)}
                placeholder="arn:aws:iam::123456789012:role/ci-deploy"
                rows={2}
                spellcheck={false}
                data-testid="deploy-principals"
              />
            </FormField>
          )}
          {features.adminPrincipalArns && (
            <FormField
              label="Cluster administrators"
              description={
                proposeRequester
                  ? `IAM roles or users given cluster-admin through EKS access entries. You (${requester}) are proposed so that kubectl works for you with your own AWS identity; remove yourself to leave access to role B alone.`
                  : 'IAM roles or users given cluster-admin through EKS access entries (optional). Without one, kubectl works through role B’s profile.'
              }
              errorText={err('adminPrincipalArns') ?? (features.principals ? h.principals.errorText : undefined)}
            >
              {features.principals ? (
                <Multiselect
                  selectedOptions={selectedMany(principalOpts, form.adminPrincipalArns)}
                  options={principalOpts}
                  onChange={({ detail }) =>
                    set({ adminPrincipalArns: detail.selectedOptions.map((o) => o.value!).filter(Boolean) })
                  }
                  placeholder="Choose IAM principals"
                  statusType={h.principals.statusType}
                  loadingText="Loading IAM principals"
                  errorText={h.principals.errorText}
                  empty={h.principals.empty}
                  filteringType="auto"
                  filteringAriaLabel="Filter"
                  filteringClearAriaLabel="Clear filter"
                  deselectAriaLabel={(o) => `Remove ${o.label ?? o.value}`}
                  data-testid="admin-principals"
                />
              ) : (
                <Input
                  value={adminText}
                  onChange={({ detail }) => {
                    setAdminText(detail.value);
                    set({ adminPrincipalArns: parseArnList(detail.value) });
                  }}
                  placeholder="arn:aws:iam::123456789012:role/platform-admins"
                  data-testid="admin-principals"
                />
              )}
            </FormField>
          )}
        </SpaceBetween>
      </Container>
      {listErrors.map((e) => (
        <DiagnosisAlert key={e.code} diagnosis={fromApiError(e)} testId="list-diagnosis" />
      ))}
    </SpaceBetween>
  );
}
