/**
 * One cluster, live: phase, resources done/total and elapsed time while it is being created or
 * updated (polling GET /v1/clusters/{id}); then the endpoint, the kubeconfig, who has access and the
 * version's support — or the diagnosis with its evidence and numbered remediation.
 */
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { useConsole } from '../api/context';
import type { ApiErrorBody, ClusterAccess, ClusterRecord } from '../api/types';
import DiagnosisAlert, { fromApiError } from '../components/DiagnosisAlert';
import NotFound from '../components/NotFound';
import SupportBlock from '../support/SupportBlock';
import UpdateStatus from '../update/UpdateStatus';
import { editAndRetry } from '../wizard/wizard-state';
import { Configuration, SettingsUsed } from './ClusterDetails';
import DeleteCluster from './DeleteCluster';
import KubectlAccess from './KubectlAccess';
import { ClusterStatus, elapsed, isBusy } from './status';

/** Creating, deleting, or an update running: the page keeps following the record. */
const following = (r: ClusterRecord) => isBusy(r.status) || r.update?.status === 'RUNNING';

/** Brisk right after a change, slower while nothing moves (a real creation takes ~15 minutes). */
const FAST_MS = 500;
const SLOW_MS = 5000;

function useCluster(id: string) {
  const { api } = useConsole();
  const [record, setRecord] = useState<ClusterRecord>();
  const [error, setError] = useState<ApiErrorBody>();
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` restarts the poll when Refresh is pressed.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = FAST_MS;
    let last = '';
    const poll = async () => {
      try {
        const r = await api.get<ClusterRecord>(`/v1/clusters/${encodeURIComponent(id)}`);
        if (!live) return;
        setRecord(r);
        setError(undefined);
        const sig = `${r.status}|${r.phase}|${r.progress?.done}|${r.update?.phase}|${r.update?.resources?.done}`;
        delay = sig === last ? Math.min(SLOW_MS, delay * 1.5) : FAST_MS;
        last = sig;
        if (following(r)) timer = setTimeout(() => void poll(), delay);
      } catch (e) {
        if (!live) return;
        const err = e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) };
        setError(err);
        // Throttled or briefly unreachable: keep following.
        if (!(e instanceof ApiError) || e.status === 0 || e.status === 429 || e.status >= 500)
          timer = setTimeout(() => void poll(), SLOW_MS);
      }
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [api, id, tick]);
  return { record, error, reload: () => setTick((t) => t + 1) };
}

function useNow(active: boolean) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/** Who may use the cluster: the record's `outputs.access` (what was made), else derived from its settings (older records). */
function whoHasAccess(r: ClusterRecord): ClusterAccess[] {
  if (r.outputs?.access) return r.outputs.access;
  const s = r.settings ?? {};
  const role = typeof s['provisionRoleArn'] === 'string' ? s['provisionRoleArn'] : undefined;
  return [
    ...(role ? [{ principalArn: role, access: 'cluster-admin', source: 'creator' }] : []),
    ...(s.adminPrincipalArns ?? []).map((principalArn) => ({
      principalArn,
      access: 'cluster-admin',
      source: 'adminPrincipalArns',
    })),
    ...(s.managed === false ? [] : (s.deployPrincipalArns ?? [])).map((principalArn) => ({
      principalArn,
      access: 'edit',
      source: 'deployPrincipalArns',
    })),
  ];
}

function accessText(a: ClusterAccess): string {
  const why =
    a.source === 'creator'
      ? " (role B, the cluster's creator)"
      : a.source === 'deployPrincipalArns'
        ? ' (deploy role)'
        : a.source === 'adminPrincipalArns'
          ? ' (administrator)'
          : '';
  if (a.access === 'cluster-admin') return `cluster admin${why}`;
  if (a.access === 'edit')
    return `edit in ${a.namespaces?.length ? a.namespaces.join(', ') : 'the managed namespaces'}${why}`;
  return `${a.access}${why}`;
}

/** The stack in the CloudFormation console of its region (the region is the ARN's fourth field). */
function StackLink({ stackId }: { stackId: string }) {
  const region = stackId.split(':')[3];
  const name = /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
  if (!region) return <>{stackId}</>;
  const href = `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks/stackinfo?stackId=${encodeURIComponent(stackId)}`;
  return (
    <Link href={href} external externalIconAriaLabel="(opens in a new tab)" data-testid="stack-link">
      {name}
    </Link>
  );
}

export default function ClusterPage({ id }: { id: string }) {
  const { features, navigate, tenantKey } = useConsole();
  const { record: r, error, reload } = useCluster(id);
  const busy = r ? isBusy(r.status) : false;
  const now = useNow(r ? following(r) : false);
  if (!r) {
    if (error?.code === 'NOT_FOUND') return <NotFound path={id} what="cluster" />;
    return error ? <DiagnosisAlert diagnosis={fromApiError(error)} /> : <Spinner size="large" />;
  }
  // A deletion counts from its own start, not from the cluster's creation.
  const deleting = (r.status === 'DELETING' || r.status === 'DELETED') && !!r.deletionStartedAt;
  const startedAt = deleting ? r.deletionStartedAt : r.createdAt;
  const started = startedAt ? Date.parse(startedAt) : undefined;
  const endedAt = r.status === 'DELETED' ? (r.deletedAt ?? r.updatedAt) : r.updatedAt;
  const ended = busy ? now : endedAt ? Date.parse(endedAt) : now;
  // updatedAt also moves with every update: after one, it no longer marks the end of the creation.
  const creationEndUnknown = !deleting && !busy && !!r.update;
  const took = started === undefined || creationEndUnknown ? '—' : elapsed(ended - started);
  const done = r.progress?.done ?? 0;
  const total = r.progress?.total ?? 0;
  const access = whoHasAccess(r);
  const deployRoles = r.settings?.managed === false ? [] : (r.settings?.deployPrincipalArns ?? []);

  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={
            <>
              {r.region ?? ''}
              {r.accountId && (
                <>
                  {' · '}
                  <span className="nowrap" data-testid="account-id">
                    account {r.accountId}
                  </span>
                </>
              )}
              {r.environmentScope ? ` · environment scope ${r.environmentScope}` : ''}
            </>
          }
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={() => navigate('/clusters')}>All clusters</Button>
              {features.updateCluster && r.status === 'CREATED' && r.update?.status !== 'RUNNING' && (
                <Button
                  data-testid="update-cluster"
                  onClick={() => navigate(`/clusters/${encodeURIComponent(r.id)}/update`)}
                >
                  Update cluster
                </Button>
              )}
              {r.status === 'FAILED' && r.settings && (
                <Button
                  data-testid="edit-and-retry"
                  onClick={() => {
                    const role =
                      typeof r.settings?.['provisionRoleArn'] === 'string' ? r.settings['provisionRoleArn'] : undefined;
                    const region = typeof r.settings?.['region'] === 'string' ? r.settings['region'] : r.region;
                    editAndRetry(
                      window.sessionStorage,
                      tenantKey,
                      r.settings ?? {},
                      role && region && r.accountId ? { roleArn: role, region, accountId: r.accountId } : undefined,
                    );
                    navigate('/');
                  }}
                >
                  Edit and retry
                </Button>
              )}
              {features.deleteCluster && (r.status === 'CREATED' || r.status === 'FAILED') && (
                <DeleteCluster cluster={r} onDone={reload} />
              )}
            </SpaceBetween>
          }
        >
          {r.name}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">Status</Header>}>
          <SpaceBetween size="m">
            <KeyValuePairs
              columns={4}
              items={[
                {
                  label: 'Status',
                  value: (
                    <span data-testid="cluster-status">
                      <ClusterStatus status={r.status} />
                    </span>
                  ),
                },
                { label: 'Phase', value: <span data-testid="cluster-phase">{r.phase ?? '—'}</span> },
                {
                  label: 'Resources',
                  value: (
                    <span data-testid="cluster-resources">
                      {total ? `${done} of ${total} ${deleting ? 'deleted' : 'created'}` : '—'}
                    </span>
                  ),
                },
                {
                  label: deleting ? 'Deletion elapsed' : 'Elapsed',
                  value: <span data-testid="cluster-elapsed">{took}</span>,
                },
                // Until the cluster is CREATED (then "Who has access" lists them with their namespaces).
                ...(deployRoles.length && r.status !== 'CREATED'
                  ? [
                      {
                        label: 'Deploy roles (edit in the managed namespaces)',
                        value: (
                          <ul data-testid="deploy-roles">
                            {deployRoles.map((a) => (
                              <li key={a}>{a}</li>
                            ))}
                          </ul>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
            {busy && (
              <ProgressBar
                value={total ? Math.round((done / total) * 100) : 0}
                label={r.status === 'DELETING' ? 'Deleting the cluster' : 'Creating the cluster'}
                description={r.phase}
                additionalInfo={
                  r.status === 'CREATING'
                    ? 'An EKS control plane takes about 10 minutes in AWS; this page updates by itself.'
                    : undefined
                }
              />
            )}
          </SpaceBetween>
        </Container>

        {r.update && <UpdateStatus update={r.update} now={now} />}
        {r.support && <SupportBlock support={r.support} />}

        {r.status === 'CREATED' && (
          <Container header={<Header variant="h2">Cluster</Header>}>
            <SpaceBetween size="m">
              <KeyValuePairs
                columns={2}
                items={[
                  {
                    label: 'API server endpoint',
                    value: r.outputs?.endpoint ? (
                      <span data-testid="endpoint">
                        <CopyToClipboard
                          variant="inline"
                          textToCopy={String(r.outputs.endpoint)}
                          copyButtonAriaLabel="Copy endpoint"
                          copySuccessText="Endpoint copied"
                          copyErrorText="Could not copy"
                        />
                      </span>
                    ) : (
                      '—'
                    ),
                  },
                  {
                    label: 'Kubernetes version',
                    value: String(r.outputs?.kubernetesVersion ?? r.settings?.['kubernetesVersion'] ?? '—'),
                  },
                  {
                    label: 'Who has access',
                    value: (
                      <ul data-testid="access">
                        {access.map((a) => (
                          <li key={a.principalArn}>
                            {a.principalArn} — {accessText(a)}
                          </li>
                        ))}
                      </ul>
                    ),
                  },
                  { label: 'Stack', value: r.stackId ? <StackLink stackId={r.stackId} /> : '—' },
                ]}
              />
            </SpaceBetween>
          </Container>
        )}
        {r.status === 'CREATED' && <KubectlAccess record={r} access={access} />}
        {r.status === 'CREATED' && <Configuration record={r} />}
        {r.settings && <SettingsUsed record={r} />}

        {r.diagnosis && (r.status === 'FAILED' || r.status === 'DELETE_FAILED') && (
          <DiagnosisAlert diagnosis={r.diagnosis} testId="cluster-diagnosis" />
        )}
        {error && <DiagnosisAlert diagnosis={fromApiError(error)} type="warning" />}
      </SpaceBetween>
    </ContentLayout>
  );
}
