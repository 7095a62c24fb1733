/**
 * The seed's journey as a wizard: set up roles → Authenticate with AWS → cluster settings →
 * "Create Kubernetes cluster". After 202 the cluster page shows progress and the result.
 */
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Spinner from '@cloudscape-design/components/spinner';
import Wizard from '@cloudscape-design/components/wizard';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { useConsole } from '../api/context';
import type { ApiErrorBody, ClusterAccepted, FieldError, Setup } from '../api/types';
import DiagnosisAlert, { fromApiError } from '../components/DiagnosisAlert';
import AuthenticateStep, { type AuthState } from './AuthenticateStep';
import { EMPTY_SETTINGS, fieldOf, type SettingsForm, toSettings } from './form';
import { formProblems } from './form-check';
import ReviewStep from './ReviewStep';
import SettingsStep from './SettingsStep';
import SetupStep from './SetupStep';
import { clearWizard, loadWizard, rememberRole, saveWizard } from './wizard-state';

const SETTINGS_FIELDS = new Set([
  'name',
  'environmentScope',
  'serviceRoleArn',
  'kubernetesVersion',
  'keyName',
  'vpcId',
  'subnetIds',
  'securityGroupIds',
  'instanceType',
  'nodeCount',
  'managed',
  'adminPrincipalArns',
  'namespaces',
  'deployPrincipalArns',
]);

export default function CreateWizard() {
  const { api, navigate, features, tenantKey } = useConsole();
  const [step, setStep] = useState(0);
  const [setup, setSetup] = useState<Setup>();
  const [setupError, setSetupError] = useState<ApiErrorBody>();
  const [auth, setAuth] = useState<AuthState>({ roleArn: '', region: 'us-east-1' });
  const [form, setForm] = useState<SettingsForm>(EMPTY_SETTINGS);
  const [stepError, setStepError] = useState<string>();
  const [submitError, setSubmitError] = useState<ApiErrorBody>();
  const [submitting, setSubmitting] = useState(false);
  // One key per submitted body: a double click or a retry after a lost answer creates one cluster.
  const idem = useRef<{ body: string; key: string } | undefined>(undefined);

  // Restored per tenant from this tab's storage (a reload keeps the wizard); saved once restored.
  const [loadedFor, setLoadedFor] = useState<string>();
  useEffect(() => {
    let live = true;
    const saved = loadWizard(window.sessionStorage, window.localStorage, tenantKey);
    setSetup(undefined);
    setSetupError(undefined);
    setStep(saved.step);
    setAuth(saved.auth);
    setForm(saved.form);
    setTouched(new Set());
    setRefused(false);
    setLoadedFor(tenantKey);
    api.get<Setup>('/v1/setup').then(
      (s) => live && setSetup(s),
      (e: unknown) => live && setSetupError(e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) }),
    );
    return () => {
      live = false;
    };
  }, [api, tenantKey]);

  useEffect(() => {
    if (loadedFor === tenantKey) saveWizard(window.sessionStorage, tenantKey, { step, auth, form });
  }, [loadedFor, tenantKey, step, auth, form]);
  useEffect(() => {
    if (auth.registered) rememberRole(window.localStorage, tenantKey, auth.registered);
  }, [auth.registered, tenantKey]);

  // The API's own schema, in the browser: each field's problems once the field was left (or on submit).
  const prefix = setup?.roleNamePrefix ?? 'eks-provisioner-';
  const clientFields = useMemo(
    () => (auth.registered ? formProblems(toSettings(auth, form, features), prefix) : []),
    [auth, form, features, prefix],
  );
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [refused, setRefused] = useState(false);
  const touchedFields = useMemo(
    () => clientFields.filter((f) => refused || touched.has(fieldOf(f.path))),
    [clientFields, touched, refused],
  );
  const serverFields: FieldError[] = useMemo(() => submitError?.fields ?? [], [submitError]);
  // The API's answer to the last submit wins on a field; the browser's check fills the others.
  const fieldErrors = useMemo(
    () => [
      ...serverFields,
      ...touchedFields.filter((c) => !serverFields.some((s) => fieldOf(s.path) === fieldOf(c.path))),
    ],
    [serverFields, touchedFields],
  );
  const shownProblems = refused && clientFields.length ? clientFields : serverFields;
  const otherFieldErrors = shownProblems.filter((f) => !SETTINGS_FIELDS.has(fieldOf(f.path)));

  const submit = async () => {
    const settings = toSettings(auth, form, features);
    if (clientFields.length) {
      // Nothing is sent: every problem shows on its field and once in the alert.
      setRefused(true);
      setSubmitError(undefined);
      return;
    }
    setRefused(false);
    const body = JSON.stringify(settings);
    if (idem.current?.body !== body) idem.current = { body, key: crypto.randomUUID() };
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      const r = await api.request<ClusterAccepted>('POST', '/v1/clusters', {
        body: settings,
        headers: { 'Idempotency-Key': idem.current.key },
      });
      clearWizard(window.sessionStorage, tenantKey);
      navigate(`/clusters/${encodeURIComponent(r.body.id)}`);
    } catch (e) {
      const err = e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) };
      // The name is taken (409): that is the name field's problem, said there.
      const withFields =
        err.code === 'NAME_ALREADY_IN_USE' && !err.fields?.length
          ? { ...err, fields: [{ path: 'name', message: err.message }] }
          : err;
      setSubmitError(withFields);
      // Field problems are fixed where the fields are.
      if (withFields.fields?.length) setStep(2);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Wizard
      i18nStrings={{
        stepNumberLabel: (n) => `Step ${n}`,
        collapsedStepsLabel: (n, total) => `Step ${n} of ${total}`,
        skipToButtonLabel: (s) => `Skip to ${s.title}`,
        navigationAriaLabel: 'Steps',
        cancelButton: 'Cancel',
        previousButton: 'Previous',
        nextButton: 'Next',
        submitButton: 'Create Kubernetes cluster',
        optional: 'optional',
      }}
      activeStepIndex={step}
      isLoadingNextStep={submitting}
      onCancel={() => navigate('/clusters')}
      onNavigate={({ detail }) => {
        setStepError(undefined);
        if (detail.requestedStepIndex >= 2 && !auth.registered) {
          setStepError('Authenticate with AWS first: the cluster settings are loaded through role B.');
          return;
        }
        // The review shows settings the API will accept: problems stay on the settings step, on their fields.
        if (detail.requestedStepIndex === 3 && clientFields.length) {
          setRefused(true);
          setSubmitError(undefined);
          return;
        }
        setStep(detail.requestedStepIndex);
      }}
      onSubmit={() => void submit()}
      steps={[
        {
          title: 'Set up roles',
          description: 'Create role B (and role A) in your AWS account with these values.',
          content: setupError ? (
            <DiagnosisAlert diagnosis={fromApiError(setupError)} />
          ) : setup ? (
            <SetupStep setup={setup} />
          ) : (
            <Spinner size="large" />
          ),
        },
        {
          title: 'Authenticate with AWS',
          description: 'Give the Role ARN of role B and the region for the cluster.',
          // Only while it is true: once authenticated, the green success stands alone.
          errorText: auth.registered ? undefined : stepError,
          content: (
            <AuthenticateStep
              state={auth}
              onChange={setAuth}
              {...(setup?.exampleProvisionRoleArn ? { exampleArn: setup.exampleProvisionRoleArn } : {})}
            />
          ),
        },
        {
          title: 'Cluster settings',
          description: 'Everything listed here comes from your account through role B.',
          content: auth.registered ? (
            <>
              <SettingsStep
                roleArn={auth.registered.roleArn}
                region={auth.registered.region}
                form={form}
                onChange={setForm}
                onLeaveField={(field) => setTouched((t) => (t.has(field) ? t : new Set([...t, field])))}
                fieldErrors={fieldErrors}
                {...(setup?.requester ? { requester: setup.requester } : {})}
                accountId={auth.registered.accountId}
              />
              {(shownProblems.length > 0 || (submitError && !submitError.fields?.length)) && (
                <Box margin={{ top: 'l' }}>
                  {shownProblems.length ? (
                    <Alert
                      type="error"
                      header={
                        refused
                          ? 'Fix these settings before creating the cluster'
                          : (submitError?.title ?? 'The cluster settings are not valid')
                      }
                      data-testid="submit-problems"
                    >
                      <ul>
                        {shownProblems.map((f, i) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, never reordered, whose entries may repeat
                          <li key={i}>
                            <strong>{f.path}</strong>: {f.message}
                          </li>
                        ))}
                        {(refused ? [] : (submitError?.problems ?? []))
                          .filter((p) => !shownProblems.some((f) => p.message.includes(f.path)))
                          .map((p, i) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, never reordered, whose entries may repeat
                            <li key={`p${i}`}>{p.message}</li>
                          ))}
                      </ul>
                      {otherFieldErrors.length > 0 && 'Go back to Authenticate with AWS to fix the role or region.'}
                    </Alert>
                  ) : (
                    submitError && <DiagnosisAlert diagnosis={fromApiError(submitError)} testId="submit-diagnosis" />
                  )}
                </Box>
              )}
            </>
          ) : (
            <Alert type="info">Authenticate with AWS first.</Alert>
          ),
        },
        {
          title: 'Review and create',
          description: 'Check the settings, what will be created and what it costs, then create the cluster.',
          content:
            auth.registered && !clientFields.length ? (
              <>
                <ReviewStep settings={toSettings(auth, form, features)} role={auth.registered} />
                {submitError && (
                  <Box margin={{ top: 'l' }}>
                    <DiagnosisAlert diagnosis={fromApiError(submitError)} testId="submit-diagnosis" />
                  </Box>
                )}
              </>
            ) : (
              <Alert type="info">Complete the cluster settings first.</Alert>
            ),
        },
      ]}
    />
  );
}
