/**
 * "Use kubectl" on a CREATED cluster: which identity works for this person, role B's AWS CLI profile
 * (External ID included, ready to copy), the kubeconfig for either identity, and how to give someone
 * else access. The words and commands come from shared/kubectl (the CLI's `status` prints the same).
 */
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import RadioGroup from '@cloudscape-design/components/radio-group';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { useEffect, useState } from 'react';
import {
  accessEntryCommands,
  assumeRoleProfile,
  updateKubeconfigCommand,
  workingIdentity,
} from '../../../shared/kubectl/access';
import { ApiError } from '../api/client';
import { useConsole } from '../api/context';
import type { ApiErrorBody, ClusterAccess, ClusterRecord, Setup } from '../api/types';
import DiagnosisAlert, { fromApiError } from '../components/DiagnosisAlert';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function CodeBlock({ text, label }: { text: string; label: string }) {
  return (
    <SpaceBetween size="xxs">
      <CopyToClipboard
        variant="button"
        copyButtonText={`Copy ${label}`}
        copySuccessText={`${label} copied`}
        copyErrorText={`${label} could not be copied`}
        textToCopy={text}
      />
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: the label names the block when it takes focus */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must be reachable by keyboard (axe scrollable-region-focusable) */}
      <pre className="json-block" aria-label={label} tabIndex={0} data-testid={label.replace(/\W+/g, '-')}>
        <Box variant="code">{text}</Box>
      </pre>
    </SpaceBetween>
  );
}

type Identity = 'provision-role' | 'own';

export default function KubectlAccess({ record: r, access }: { record: ClusterRecord; access: ClusterAccess[] }) {
  const { api, features, mode } = useConsole();
  const [setup, setSetup] = useState<Setup>();
  const [error, setError] = useState<ApiErrorBody>();
  const [choice, setChoice] = useState<Identity>();

  useEffect(() => {
    let live = true;
    api.get<Setup>('/v1/setup').then(
      (s) => live && setSetup(s),
      (e: unknown) => live && setError(e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) }),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const clusterName = String(r.outputs?.['clusterName'] ?? r.name);
  const region = String(r.settings?.['region'] ?? r.region ?? '');
  const roleArn = typeof r.settings?.['provisionRoleArn'] === 'string' ? r.settings['provisionRoleArn'] : undefined;
  const profile =
    setup && roleArn ? assumeRoleProfile({ clusterName, roleArn, externalId: setup.externalId }) : undefined;
  // The local stack is a self-managed install: whoever runs it holds the service's credentials, which role B trusts.
  const works = workingIdentity({
    ...(setup?.requester ? { requester: setup.requester } : {}),
    access,
    selfManaged: mode === 'local',
  });
  const identity: Identity = choice ?? (works === 'own' || !profile ? 'own' : 'provision-role');
  const canDownload = features.kubeconfig || typeof r.outputs?.kubeconfig === 'string';

  const getKubeconfig = async () => {
    setError(undefined);
    try {
      const query = identity === 'provision-role' && profile ? `?profile=${encodeURIComponent(profile.name)}` : '';
      const text = features.kubeconfig
        ? await api.getText(`/v1/clusters/${encodeURIComponent(r.id)}/kubeconfig${query}`)
        : String(r.outputs?.kubeconfig ?? '');
      download(`kubeconfig-${r.name}.yaml`, text);
    } catch (e) {
      setError(e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) });
    }
  };

  const verdict =
    works === 'own'
      ? `Your AWS identity (${setup?.requester}) has an access entry: the kubeconfig for your own identity works for you.`
      : works === 'provision-role'
        ? "Use role B's profile: this is a self-managed install, so your AWS credentials (the service's) may assume role B, which is the cluster's creator and administrator."
        : "Your AWS identity has no access entry on this cluster. Use role B's profile if role B's trust policy lets your identity assume it, or have an administrator add an access entry for you (commands below).";

  return (
    <Container
      header={
        <Header
          variant="h2"
          description="kubectl authenticates with “aws eks get-token”; the identity it runs as needs an access entry on the cluster."
        >
          Use kubectl
        </Header>
      }
    >
      <SpaceBetween size="m">
        {/* Which identity works depends on who is asking (GET /v1/setup): no guess before it is known. */}
        {setup ? <Box data-testid="kubectl-verdict">{verdict}</Box> : !error && <Spinner />}
        {setup && canDownload && (
          <FormField label="kubectl runs as">
            <RadioGroup
              value={identity}
              onChange={({ detail }) => setChoice(detail.value as Identity)}
              items={[
                ...(profile
                  ? [
                      {
                        value: 'provision-role',
                        label: `Role B, through the AWS CLI profile ${profile.name}`,
                        description:
                          works === 'provision-role'
                            ? 'Works for you (recommended).'
                            : 'Works where your identity may assume role B.',
                      },
                    ]
                  : []),
                {
                  value: 'own',
                  label: 'Your own AWS identity',
                  description:
                    works === 'own'
                      ? 'Works for you (recommended): you have an access entry.'
                      : 'Needs an access entry for your identity.',
                },
              ]}
              data-testid="kubeconfig-identity"
            />
          </FormField>
        )}
        {(setup || error) && canDownload && (
          <div>
            <Button iconName="download" onClick={() => void getKubeconfig()} data-testid="kubeconfig">
              Download kubeconfig
            </Button>
          </div>
        )}
        {profile && (
          <SpaceBetween size="xs">
            <Box variant="p">
              Role B's profile for ~/.aws/config (the seed's note: assume the provision role with the External ID). Its
              source_profile holds the credentials that assume role B.
            </Box>
            <CodeBlock text={profile.text} label="role B profile" />
            {region && (
              <Box variant="small">
                The AWS CLI writes the same kubeconfig with:{' '}
                <Box variant="code">{updateKubeconfigCommand({ clusterName, region, profile: profile.name })}</Box>
              </Box>
            )}
          </SpaceBetween>
        )}
        {region && (
          <SpaceBetween size="xs">
            <Box variant="p">
              Give someone else cluster-admin (run with an identity that administers this account; replace the principal
              ARN):
            </Box>
            <CodeBlock text={accessEntryCommands({ clusterName, region }).join('\n')} label="access entry commands" />
          </SpaceBetween>
        )}
        {error && <DiagnosisAlert diagnosis={fromApiError(error)} />}
      </SpaceBetween>
    </Container>
  );
}
