/** AWS mode: sign in with Cognito, then the console with SigV4-signed requests (no tenant picker: the tenant is you). */
import type { Root } from 'react-dom/client';
import { StrictMode } from 'react';
import { ApiClient } from '../api/client';
import { CognitoSession } from '../api/cognito';
import type { AwsConsoleConfig } from '../api/config';
import type { Features } from '../api/context';
import { sigv4Signer } from '../api/sigv4';
import App from '../App';
import SignIn from './SignIn';

export async function startAwsConsole(root: Root, config: AwsConsoleConfig, features: (api: ApiClient) => Promise<Features>): Promise<void> {
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
    const feats = await features(api);
    root.render(
      <StrictMode>
        <App
          api={api}
          mode="aws"
          features={feats}
          user={{
            name: session.username ?? 'signed in',
            signOut: () => {
              session.signOut();
              void render();
            },
          }}
        />
      </StrictMode>,
    );
  };
  await render();
}
