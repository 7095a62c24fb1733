/**
 * The change set is the plan CloudFormation will carry out: made with the settings after the update
 * and the *current* template (a stack made by an older version of the service is brought up to
 * date, e.g. gains its UpgradePolicy), described until ready, then executed — exactly what was shown.
 * Each call is idempotent: the change set name is fixed by the record version.
 */
import {
  type CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeAddonVersionsCommand, type EKSClient } from '@aws-sdk/client-eks';
import { stackTags } from '../create-cluster-stack/create-cluster-stack.js';
import { awsErrorCode } from '../lib/aws/aws-error.js';
import { type ContextEvidence, makeDiagnosis } from '../lib/diagnosis/catalog.js';
import { awsCall, toStepError } from '../lib/diagnosis/from-aws-error.js';
import { DiagnosedError } from '../lib/errors.js';
import { managedNamespaces } from '../lib/kubernetes/namespaces.js';
import { ADDON_VERSION_PARAMETERS, clusterStackParameters, clusterTemplateBody } from '../lib/template/index.js';
import { type ChangeSetState, currentStage, type UpdateRun } from '../lib/update/run.js';
import { stageParameters, type UpdateStage } from '../lib/update/stages.js';
import { updateStatementsFor } from './statements.js';

/** One change set per record version and stage (a single-stage update keeps the plain name). */
export const changeSetNameFor = (version: number, stage?: Pick<UpdateStage, 'name'>) =>
  `eks-provisioner-update-${version}${stage && stage.name !== 'all' ? `-${stage.name}` : ''}`;

/**
 * Add-on versions for the change set: on a Kubernetes version change, EKS's default version of each
 * add-on for the new version (DescribeAddonVersions); otherwise what the stack has now.
 */
export async function addonVersionsFor(run: UpdateRun, eks: EKSClient): Promise<Record<string, string>> {
  const current = run.preflight?.addonVersions ?? {};
  const to = typeof run.update.to.kubernetesVersion === 'string' ? run.update.to.kubernetesVersion : undefined;
  if (!to) return current;
  const out: Record<string, string> = {};
  for (const addonName of Object.keys(ADDON_VERSION_PARAMETERS)) {
    const r = await awsCall(
      { service: 'eks', operation: 'DescribeAddonVersions', principal: 'provision-role', evidence: evidenceOf(run) },
      () => eks.send(new DescribeAddonVersionsCommand({ addonName, kubernetesVersion: to })),
    );
    const versions = r.addons?.find((a) => a.addonName === addonName)?.addonVersions ?? [];
    const byDefault = versions.find((v) => v.compatibilities?.some((c) => c.clusterVersion === to && c.defaultVersion));
    // No default listed: leave it to EKS (its default for the cluster's version).
    out[addonName] = byDefault?.addonVersion ?? '';
  }
  return out;
}

/** Stack parameters for the settings after the update (same function as CreateStack uses). */
export function updateParameters(
  run: UpdateRun,
  addonVersions: Record<string, string> = run.preflight?.addonVersions ?? {},
) {
  const c = run.cluster;
  return clusterStackParameters({
    clusterId: run.clusterId,
    tenantId: run.tenantId,
    name: c.name,
    kubernetesVersion: c.kubernetesVersion ?? run.update.liveVersion,
    serviceRoleArn: c.serviceRoleArn,
    subnetIds: c.subnetIds,
    securityGroupIds: c.securityGroupIds,
    instanceType: c.instanceType,
    nodeCount: c.nodeCount,
    upgradePolicy: c.upgradePolicy,
    // The person's force (PATCH ?force=true) reaches EKS: without it EKS refuses past an ERROR insight.
    forceUpgrade: run.update.force === true,
    ...(c.keyName ? { keyName: c.keyName } : {}),
    adminPrincipalArns: c.adminPrincipalArns,
    deployPrincipalArns: c.managed ? (c.deployPrincipalArns ?? []) : [],
    deployNamespaces: managedNamespaces(c),
    addonVersions,
  });
}

const evidenceOf = (run: UpdateRun): ContextEvidence => ({
  stackName: run.stack.stackName,
  stackId: run.stack.stackId,
  region: run.region,
  accountId: run.accountId,
  roleArn: run.cluster.provisionRoleArn,
});
const NO_CHANGES = /didn't contain changes|No updates are to be performed|submitted information didn't contain/i;

/** Creates the change set on the first call, then describes it until CloudFormation has computed it. */
export async function prepareChangeSet(
  run: UpdateRun,
  deps: { cloudformation: CloudFormationClient; eks: EKSClient },
): Promise<ChangeSetState> {
  const ev = evidenceOf(run);
  const stage = currentStage(run);
  const changeSetName = changeSetNameFor(run.update.version, stage);
  const ctx = (operation: string) => ({
    service: 'cloudformation',
    operation,
    principal: 'provision-role' as const,
    evidence: ev,
  });
  // The previous stage's change set is done: this stage makes its own.
  const mine = run.changeSet?.changeSetName === changeSetName ? run.changeSet : undefined;
  let addonVersions = mine?.addonVersions;
  if (!mine?.changeSetId) {
    const parameters = stageParameters(
      updateParameters(run, await addonVersionsFor(run, deps.eks)),
      stage,
      run.preflight?.stackParameters ?? {},
    );
    const sent = Object.fromEntries(parameters.map((p) => [p.ParameterKey, p.ParameterValue]));
    addonVersions = Object.fromEntries(
      Object.entries(ADDON_VERSION_PARAMETERS).map(([addon, key]) => [addon, sent[key] ?? '']),
    );
    try {
      await deps.cloudformation.send(
        new CreateChangeSetCommand({
          StackName: run.stack.stackId,
          ChangeSetName: changeSetName,
          ChangeSetType: 'UPDATE',
          TemplateBody: clusterTemplateBody(),
          Parameters: parameters,
          Capabilities: ['CAPABILITY_IAM'],
          Tags: stackTags(run),
          ClientToken: changeSetName,
          Description:
            `eks-provisioner update to version ${run.update.version}: ${stage.name === 'all' ? run.update.changes.map((c) => c.field).join(', ') : stage.title}`.slice(
              0,
              1024,
            ),
        }),
      );
    } catch (err) {
      // A retried call finds the change set it made; anything else is diagnosed (denied → UPDATE_NOT_PERMITTED).
      if (awsErrorCode(err) !== 'AlreadyExistsException')
        throw notPermittedOr(err, run, 'cloudformation:CreateChangeSet');
    }
  }
  const out = await awsCall(ctx('DescribeChangeSet'), () =>
    deps.cloudformation.send(
      new DescribeChangeSetCommand({ StackName: run.stack.stackId, ChangeSetName: changeSetName }),
    ),
  );
  const first = run.changeSet?.firstExecutedAt ?? (mine ? undefined : run.changeSet?.executedAt);
  return {
    ...changeSetState(out, changeSetName, run),
    ...(addonVersions ? { addonVersions } : {}),
    ...(first ? { firstExecutedAt: first } : {}),
  };
}

export function changeSetState(
  out: DescribeChangeSetCommandOutput,
  changeSetName: string,
  run: UpdateRun,
): ChangeSetState {
  const changes = (out.Changes ?? []).flatMap((c) =>
    c.ResourceChange
      ? [
          {
            logicalId: c.ResourceChange.LogicalResourceId ?? '',
            type: c.ResourceChange.ResourceType ?? '',
            action: c.ResourceChange.Action ?? '',
            ...(c.ResourceChange.Replacement ? { replacement: c.ResourceChange.Replacement } : {}),
          },
        ]
      : [],
  );
  const base = { changeSetName, ...(out.ChangeSetId ? { changeSetId: out.ChangeSetId } : {}), changes };
  if (out.Status === 'CREATE_COMPLETE') return { ...base, status: 'READY', nextWaitSeconds: 0 };
  if (out.Status === 'FAILED') {
    if (NO_CHANGES.test(out.StatusReason ?? '')) return { ...base, status: 'NO_CHANGES', nextWaitSeconds: 0 };
    throw new DiagnosedError(
      makeDiagnosis('UNKNOWN', {
        ...evidenceOf(run),
        status: 'FAILED',
        detail: `change set ${changeSetName} could not be created`,
        reason: out.StatusReason ?? '',
      }),
    );
  }
  return { ...base, status: 'PENDING', nextWaitSeconds: 5 };
}

/** Executes exactly the change set that was described. */
export async function executeChangeSet(
  run: UpdateRun,
  deps: { cloudformation: CloudFormationClient; now: () => Date },
): Promise<ChangeSetState> {
  const cs = run.changeSet!;
  try {
    await deps.cloudformation.send(
      new ExecuteChangeSetCommand({
        StackName: run.stack.stackId,
        ChangeSetName: cs.changeSetId ?? cs.changeSetName,
        ClientRequestToken: cs.changeSetName,
      }),
    );
  } catch (err) {
    // A retry after an answer was lost: the change set is already executing (or executed).
    const code = awsErrorCode(err);
    if (code !== 'InvalidChangeSetStatus' && code !== 'ChangeSetNotFound')
      throw notPermittedOr(err, run, 'cloudformation:ExecuteChangeSet');
  }
  const executedAt = deps.now().toISOString();
  return {
    ...cs,
    status: 'EXECUTING',
    nextWaitSeconds: 15,
    executedAt,
    firstExecutedAt: cs.firstExecutedAt ?? executedAt,
  };
}

function notPermittedOr(err: unknown, run: UpdateRun, action: string): unknown {
  const code = awsErrorCode(err);
  if (code === 'AccessDenied' || code === 'AccessDeniedException' || code === 'UnauthorizedOperation') {
    const message = (err as Error).message ?? '';
    const named = /not authorized to perform:? ([\w-]+:[\w*]+)/i.exec(message)?.[1];
    return new DiagnosedError(
      makeDiagnosis('UPDATE_NOT_PERMITTED', {
        ...evidenceOf(run),
        action: named ?? action,
        resource: run.stack.stackId,
        awsErrorCode: code,
        awsMessage: message,
        statements: updateStatementsFor(run.cluster.provisionRoleArn),
      }),
    );
  }
  // Throttling and 5xx → the step's retryable errors; anything else → a diagnosis.
  return toStepError(err, {
    service: 'cloudformation',
    operation: action.split(':')[1]!,
    principal: 'provision-role',
    evidence: evidenceOf(run),
  });
}
