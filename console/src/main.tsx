/**
 * Start-up: read the runtime configuration, pick local or AWS mode, learn what the API offers,
 * render. AWS mode's sign-in and SigV4 code is a separate chunk that local mode never loads.
 */
import '@cloudscape-design/global-styles/index.css';
import './styles.css';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import App from './App';
import { ApiClient } from './api/client';
import { type ConsoleConfig, loadConfig } from './api/config';
import { type Features, featuresFromOpenApi, NO_FEATURES } from './api/context';
import { currentTenant, localSigner, setTenant } from './api/local';

async function features(api: ApiClient): Promise<Features> {
  try {
    return featuresFromOpenApi(await api.get('/v1/openapi.json'));
  } catch {
    // Without the description the console still works; the optional parts stay hidden.
    return NO_FEATURES;
  }
}

/** What the API offers, learnt after the first render (the set-up step does not depend on it). */
export function useFeatures(api: ApiClient): Features {
  const [feats, setFeats] = useState<Features>(NO_FEATURES);
  useEffect(() => {
    let live = true;
    void features(api).then((f) => live && setFeats(f));
    return () => {
      live = false;
    };
  }, [api]);
  return feats;
}

function LocalConsole({ api, initial }: { api: ApiClient; initial: string }) {
  const [tenant, setT] = useState(initial);
  const feats = useFeatures(api);
  return (
    <App
      api={api}
      mode="local"
      features={feats}
      tenant={{
        value: tenant,
        set: (t) => {
          setTenant(t);
          setT(t);
        },
      }}
    />
  );
}

function fatal(root: Root, message: string) {
  root.render(
    <div role="alert" style={{ padding: 24, fontFamily: 'sans-serif' }}>
      <h1>The console could not start</h1>
      <p>{message}</p>
    </div>,
  );
}

async function main() {
  const root = createRoot(document.getElementById('root')!);
  let config: ConsoleConfig;
  try {
    config = await loadConfig(window.location.origin);
  } catch (e) {
    fatal(root, (e as Error).message);
    return;
  }
  if (config.mode === 'local') {
    const api = new ApiClient(config.apiUrl, localSigner(currentTenant));
    root.render(
      <StrictMode>
        <LocalConsole api={api} initial={currentTenant()} />
      </StrictMode>,
    );
    return;
  }
  const { startAwsConsole } = await import('./aws/aws-console');
  await startAwsConsole(root, config, useFeatures);
}

void main();
