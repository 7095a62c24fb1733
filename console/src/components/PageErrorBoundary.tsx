/**
 * Keeps the console from going blank: a page that fails to load its code (API or CDN down, or a
 * redeploy removed the old hashed assets — Vite's "Unable to preload CSS" / "Failed to fetch
 * dynamically imported module") or throws while rendering shows what failed and a reload button.
 */
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import { Component, type ReactNode } from 'react';

interface State {
  error?: Error;
}

/** A failure to fetch the page's code rather than a bug in it: reloading (once it is back) fixes it. */
export function isLoadFailure(e: Error): boolean {
  return /Unable to preload CSS|Failed to fetch dynamically imported module|Importing a module script failed|error loading dynamically imported module|ChunkLoadError/i.test(
    `${e.name} ${e.message}`,
  );
}

export default class PageErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, State> {
  override state: State = {};

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidUpdate(prev: { resetKey: string }) {
    // Navigating elsewhere (or switching tenant) gives the next page its own chance.
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: undefined });
  }

  override render() {
    const e = this.state.error;
    if (!e) return this.props.children;
    const load = isLoadFailure(e);
    return (
      <Alert
        type="error"
        header={load ? 'This page could not be loaded' : 'This page stopped working'}
        action={
          <Button onClick={() => window.location.reload()} data-testid="reload">
            Reload
          </Button>
        }
        data-testid="page-error"
      >
        {load
          ? 'The console could not download this page’s code: the service may be unreachable, or a new version of the console was deployed. Reload when the service is reachable again.'
          : 'Something went wrong while showing this page. Reload to try again.'}
        <div>
          <small>({e.message})</small>
        </div>
      </Alert>
    );
  }
}
