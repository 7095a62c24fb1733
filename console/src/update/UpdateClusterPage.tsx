/**
 * "Update cluster" (/clusters/{id}/update): the form (checked in the browser with the API's schema),
 * then the review (PATCH ?dryRun=true: the plan, the pre-flight, the cost), then Apply (PATCH with
 * If-Match on the record version read). 412: someone else changed the cluster — the page reloads it.
 * 409: the cluster is busy. Once started, the cluster page follows the update.
 */
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/client';
import { useConsole } from '../api/context';
import type { ApiErrorBody, ClusterRecord, FormItem, Setup, UpdatePlanAnswer } from '../api/types';
import DiagnosisAlert, { fromApiError } from '../components/DiagnosisAlert';
import NotFound from '../components/NotFound';
import type { VersionItem } from '../support/support-text';
import { useList } from '../wizard/useList';
import UpdateForm from './UpdateForm';
import UpdateReview from './UpdateReview';
import {
  buildPatch,
  costChange,
  currentVersion,
  type UpdateForm as Form,
  formFromRecord,
  offeredVersions,
  updateProblems,
} from './update-form';

type Notice = { type: 'info' | 'warning' | 'error'; header: string; text: string; testId: string };

const errorOf = (e: unknown): ApiErrorBody => (e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) });

export default function UpdateClusterPage({ id }: { id: string }) {
  const { api, navigate } = useConsole();
  const path = `/v1/clusters/${encodeURIComponent(id)}`;
  const [record, setRecord] = useState<ClusterRecord>();
  const [loadError, setLoadError] = useState<ApiErrorBody>();
  const [form, setForm] = useState<Form>();
  const [left, setLeft] = useState<Set<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [prefix, setPrefix] = useState('eks-provisioner-');
  const [answer, setAnswer] = useState<UpdatePlanAnswer>();
  // One key per reviewed plan: Apply retried after a lost answer replays the first start instead of a 412.
  const [idempotencyKey, setIdempotencyKey] = useState('');
  const [busy, setBusy] = useState(false);
  // Past ERROR upgrade insights (the API's ?force=true): only offered when the pre-flight refused on one.
  const [force, setForce] = useState(false);
  const [notice, setNotice] = useState<Notice>();
  const [apiError, setApiError] = useState<ApiErrorBody>();

  const load = useCallback(async () => {
    try {
      const r = await api.get<ClusterRecord>(path);
      setRecord(r);
      setForm(formFromRecord(r));
      setLoadError(undefined);
    } catch (e) {
      setLoadError(errorOf(e));
    }
  }, [api, path]);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    api.get<Setup>('/v1/setup').then(
      (s) => s.roleNamePrefix && setPrefix(s.roleNamePrefix),
      () => undefined,
    );
  }, [api]);

  const roleArn =
    typeof record?.settings?.['provisionRoleArn'] === 'string' ? record.settings['provisionRoleArn'] : undefined;
  const region = record?.region;
  const q = useMemo(() => (roleArn && region ? { roleArn, region } : undefined), [roleArn, region]);
  const versions = useList<FormItem & VersionItem>('kubernetes-versions', q);
  const instanceTypes = useList<FormItem>('instance-types', q);

  if (!record || !form) {
    if (loadError?.code === 'NOT_FOUND') return <NotFound path={id} what="cluster" />;
    return loadError ? <DiagnosisAlert diagnosis={fromApiError(loadError)} /> : <Spinner size="large" />;
  }
  const current = currentVersion(record);
  const problems = updateProblems(record, form, prefix);
  const shown = problems.filter((p) => showAll || left.has(p.path.split(/[.[]/)[0] ?? p.path));
  const patch = buildPatch(record, form);
  const statusOf = (v: string) => versions.items.find((x) => x.id === v)?.status;
  const updatable = record.status === 'CREATED' && record.update?.status !== 'RUNNING';

  const review = async (withForce = force) => {
    setShowAll(true);
    setNotice(undefined);
    setApiError(undefined);
    if (problems.length) return;
    if (Object.keys(patch).length === 0) {
      setNotice({
        type: 'info',
        header: 'Nothing to change',
        text: 'The form has the cluster’s current settings: no update is started.',
        testId: 'update-nothing',
      });
      return;
    }
    setBusy(true);
    try {
      const r = await api.request<UpdatePlanAnswer>('PATCH', path, {
        query: { dryRun: 'true', ...(withForce ? { force: 'true' } : {}) },
        body: patch,
      });
      if (!r.body.changed)
        setNotice({
          type: 'info',
          header: 'Nothing to change',
          text: 'The cluster already has these settings: no update is started.',
          testId: 'update-nothing',
        });
      else {
        setAnswer(r.body);
        setIdempotencyKey(crypto.randomUUID());
      }
    } catch (e) {
      await refused(e);
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    setBusy(true);
    setNotice(undefined);
    setApiError(undefined);
    try {
      const r = await api.request<{ changed?: boolean }>('PATCH', path, {
        ...(force ? { query: { force: 'true' } } : {}),
        body: patch,
        headers: { 'if-match': `"${record.version ?? 1}"`, 'idempotency-key': idempotencyKey },
      });
      if (r.status === 200) {
        setAnswer(undefined);
        setNotice({
          type: 'info',
          header: 'Nothing to change',
          text: 'The cluster already has these settings: no update was started.',
          testId: 'update-nothing',
        });
        return;
      }
      navigate(`/clusters/${encodeURIComponent(id)}`);
    } catch (e) {
      await refused(e);
    } finally {
      setBusy(false);
    }
  };

  /** 412 and 409 in plain words; anything else as the API's diagnosis. */
  async function refused(e: unknown) {
    const status = e instanceof ApiError ? e.status : 0;
    if (status === 412) {
      setAnswer(undefined);
      await load();
      setNotice({
        type: 'warning',
        header: 'Someone else changed this cluster',
        text: 'The cluster changed since this page read it, so nothing was applied. The form now shows its current settings: make your change again and review it.',
        testId: 'update-stale',
      });
      return;
    }
    if (status === 409) {
      setNotice({
        type: 'warning',
        header: 'The cluster is busy',
        text: `${errorOf(e).message} Nothing was changed.`,
        testId: 'update-busy',
      });
      return;
    }
    setApiError(errorOf(e));
  }

  const header = (
    <Header
      variant="h1"
      description={`${record.region ?? ''} · Kubernetes ${current} · ${record.status}`}
      actions={<Button onClick={() => navigate(`/clusters/${encodeURIComponent(id)}`)}>Back to the cluster</Button>}
    >
      {answer ? `Review the update of ${record.name}` : `Update ${record.name}`}
    </Header>
  );

  const refusedByPreflight = answer?.preflight?.checked === true && answer.preflight.ok === false;
  return (
    <ContentLayout header={header}>
      <SpaceBetween size="l">
        {!updatable && (
          <Alert type="warning" header="This cluster cannot be updated now" data-testid="update-not-now">
            {record.update?.status === 'RUNNING'
              ? 'An update is running; one update at a time. Follow it on the cluster page.'
              : `Only a CREATED cluster can be updated; this one is ${record.status}.`}
          </Alert>
        )}
        {notice && (
          <Alert type={notice.type} header={notice.header} data-testid={notice.testId}>
            {notice.text}
          </Alert>
        )}
        {apiError && <DiagnosisAlert diagnosis={fromApiError(apiError)} testId="update-error" />}
        {answer ? (
          <>
            <UpdateReview
              answer={answer}
              cost={costChange(record, form, statusOf)}
              force={force}
              onForce={(on) => {
                setForce(on);
                void review(on);
              }}
            />
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={() => setAnswer(undefined)} disabled={busy}>
                Edit
              </Button>
              <Button
                variant="primary"
                onClick={() => void apply()}
                loading={busy}
                disabled={refusedByPreflight || !updatable}
                data-testid="update-apply"
              >
                Apply update
              </Button>
            </SpaceBetween>
          </>
        ) : (
          <>
            <UpdateForm
              form={form}
              current={{ kubernetesVersion: current, instanceType: String(record.settings?.['instanceType'] ?? '') }}
              versions={offeredVersions<VersionItem>(current, versions.items)}
              {...(versions.error ? { versionsError: versions.error.message } : {})}
              instanceTypes={instanceTypes}
              managed={record.settings?.managed !== false}
              errors={shown}
              onChange={(p) => {
                setForm((f) => (f ? { ...f, ...p } : f));
                setNotice(undefined);
              }}
              onLeave={(field) => setLeft((s) => new Set(s).add(field))}
            />
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={() => navigate(`/clusters/${encodeURIComponent(id)}`)}>Cancel</Button>
              <Button
                variant="primary"
                onClick={() => void review()}
                loading={busy}
                disabled={!updatable}
                data-testid="update-review"
              >
                Review update
              </Button>
            </SpaceBetween>
          </>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
