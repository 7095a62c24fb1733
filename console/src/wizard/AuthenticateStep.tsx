/** Step 2: "Authenticate with AWS" — the service assumes role B now (POST /v1/roles). */
import Alert from '@cloudscape-design/components/alert';
import Autosuggest from '@cloudscape-design/components/autosuggest';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { ApiError } from '../api/client';
import { useConsole } from '../api/context';
import type { ApiErrorBody, RegisteredRole } from '../api/types';
import DiagnosisAlert, { fromApiError } from '../components/DiagnosisAlert';
import type { AuthState } from './form';

/** Commercial regions where EKS runs; the service checks the one you pick against role B. */
const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'ap-east-1',
  'me-central-1',
  'af-south-1',
];

export type { AuthState } from './form';

export default function AuthenticateStep({
  state,
  onChange,
  exampleArn,
}: {
  state: AuthState;
  onChange: (s: AuthState) => void;
  exampleArn?: string;
}) {
  const { api } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorBody>();
  const fieldError = (path: string) => error?.fields?.find((f) => f.path === path)?.message;

  const authenticate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.request<RegisteredRole>('POST', '/v1/roles', {
        body: { roleArn: state.roleArn.trim(), region: state.region.trim() },
      });
      onChange({ ...state, registered: r.body });
    } catch (e) {
      setError(e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) });
      onChange({ ...state, registered: undefined });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Container
      header={
        <Header
          variant="h2"
          description="The service assumes role B with your External ID to prove it can work in this region."
        >
          Role B and region
        </Header>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void authenticate();
        }}
      >
        <Form
          actions={
            <Button variant="primary" loading={busy} formAction="submit" data-testid="authenticate">
              Authenticate with AWS
            </Button>
          }
        >
          <SpaceBetween size="m">
            <FormField
              label="Role ARN"
              description="The ARN of role B, from the role's summary page in the IAM console."
              errorText={fieldError('roleArn')}
              stretch
            >
              <Input
                value={state.roleArn}
                placeholder={exampleArn ?? 'arn:aws:iam::123456789012:role/eks-provisioner-provision'}
                onChange={({ detail }) => onChange({ roleArn: detail.value, region: state.region })}
                ariaRequired
                spellcheck={false}
                autoComplete={false}
                data-testid="role-arn"
              />
            </FormField>
            <FormField
              label="Cluster Region"
              description="Where the cluster will be created; key pairs and VPCs are listed from this region."
              errorText={fieldError('region')}
            >
              <Autosuggest
                value={state.region}
                options={REGIONS.map((value) => ({ value }))}
                onChange={({ detail }) => onChange({ roleArn: state.roleArn, region: detail.value })}
                enteredTextLabel={(v) => `Use: ${v}`}
                clearAriaLabel="Clear Cluster Region"
                placeholder="us-east-1"
                ariaRequired
                data-testid="cluster-region"
              />
            </FormField>
            {/* Field problems are said on their fields only (one message, not a second one in an alert). */}
            {error && !error.fields?.length && (
              <DiagnosisAlert diagnosis={fromApiError(error)} testId="auth-diagnosis" />
            )}
            {error?.fields?.some((f) => f.path !== 'roleArn' && f.path !== 'region') && (
              <Alert type="error" header="The request was refused">
                {error.message}
              </Alert>
            )}
            {state.registered && (
              <Alert type="success" header="Authenticated with AWS" data-testid="auth-success">
                The service assumed {state.registered.roleArn} in {state.registered.region} (account{' '}
                {state.registered.accountId}). Choose Next to fill in the cluster settings.
              </Alert>
            )}
          </SpaceBetween>
        </Form>
      </form>
    </Container>
  );
}
