/** AWS mode: sign in with Cognito, then the console with SigV4-signed requests (no tenant picker: the tenant is you). */

import { StrictMode } from 'react';
import type { Root } from 'react-dom/client';
import App from '../App';
import { ApiClient } from '../api/client';
import { CognitoSession } from '../api/cognito';
import type { AwsConsoleConfig } from '../api/config';
import type { Features } from '../api/context';
import { sigv4Signer } from '../api/sigv4';

import SignIn from './SignIn';

function SignedIn({
  api,
  useFeatures,
  name,
  signOut,
}: {
  api: ApiClient;
  useFeatures: (api: ApiClient) => Features;
  name: string;
  signOut: () => void;
}) {
  const features = useFeatures(api);
  return <App api={api} mode="aws" features={features} user={{ name, signOut }} />;
}

export async function startAwsConsole(
  root: Root,
  config: AwsConsoleConfig,
  useFeatures: (api: ApiClient) => Features,
): Promise<void> {
  const session = new CognitoSession(config);
  const api = new ApiClient(config.apiUrl, sigv4Signer(config.region, session.credentials));
  const render = async () => {
    if (!session.signedIn) {
      root.render(
        <StrictMode>
          <SignIn session={session} onSignedIn={() => void render()} />
        </StrictMode>,
      );
      return;
    }
    root.render(
      <StrictMode>
        <SignedIn
          api={api}
          useFeatures={useFeatures}
          name={session.username ?? 'signed in'}
          signOut={() => {
            session.signOut();
            void render();
          }}
        />
      </StrictMode>,
    );
  };
  await render();
}
