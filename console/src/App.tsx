/**
 * The console's frame: top bar (tenant picker in local mode, user in AWS mode), side navigation,
 * and a tiny path router (/, /clusters, /clusters/{id}, /clusters/{id}/update; anything else is "not found"; the server falls
 * back to index.html). Pages sit in an error boundary: a page whose code cannot load says so.
 */
import AppLayout from '@cloudscape-design/components/app-layout';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiClient } from './api/client';
import { type ConsoleContext, Ctx, type Features } from './api/context';
import NotFound from './components/NotFound';
import PageErrorBoundary from './components/PageErrorBoundary';
import CreateWizard from './wizard/CreateWizard';

const ClusterPage = lazy(() => import('./clusters/ClusterPage'));
const ClustersPage = lazy(() => import('./clusters/ClustersPage'));
const UpdateClusterPage = lazy(() => import('./update/UpdateClusterPage'));

function usePath(): [string, (p: string) => void] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const on = () => setPath(window.location.pathname);
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  const navigate = useCallback((p: string) => {
    if (p !== window.location.pathname) window.history.pushState(null, '', p);
    setPath(p);
    window.scrollTo(0, 0);
  }, []);
  return [path, navigate];
}

export interface AppProps {
  api: ApiClient;
  mode: 'local' | 'aws';
  features: Features;
  /** Local mode: the tenant and how to change it. */
  tenant?: { value: string; set: (t: string) => void };
  /** AWS mode: who is signed in and how to leave. */
  user?: { name: string; signOut: () => void };
}

function TenantModal({
  open,
  value,
  onClose,
  onSave,
}: {
  open: boolean;
  value: string;
  onClose: () => void;
  onSave: (t: string) => void;
}) {
  const [draft, setDraft] = useState(value);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `open` re-seeds the draft each time the modal opens.
  useEffect(() => setDraft(value), [value, open]);
  const ok = /^[A-Za-z0-9._:@/-]{1,256}$/.test(draft.trim());
  return (
    <Modal
      visible={open}
      onDismiss={onClose}
      closeAriaLabel="Close"
      header="Switch tenant"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>
              Cancel
            </Button>
            <Button variant="primary" disabled={!ok} onClick={() => onSave(draft.trim())} data-testid="tenant-save">
              Switch
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) onSave(draft.trim());
        }}
      >
        <FormField
          label="Tenant"
          description="Local stack only: the tenant the API acts for (sent as X-Tenant-Id). Each tenant has its own External ID, roles and clusters."
          errorText={ok ? undefined : 'Use 1–256 letters, digits and . _ : @ / -'}
        >
          <Input value={draft} onChange={({ detail }) => setDraft(detail.value)} data-testid="tenant-input" autoFocus />
        </FormField>
      </form>
    </Modal>
  );
}

/**
 * Cloudscape's mobile toolbar puts aria-orientation on its <nav>, where ARIA does not allow it (axe:
 * aria-allowed-attr, critical). Until Cloudscape fixes it, the attribute is taken off whenever it appears.
 */
function useMobileToolbarAriaFix() {
  useEffect(() => {
    const strip = () => {
      for (const el of document.querySelectorAll('nav[aria-orientation]')) el.removeAttribute('aria-orientation');
    };
    strip();
    const observer = new MutationObserver(strip);
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['aria-orientation'],
    });
    return () => observer.disconnect();
  }, []);
}

export default function App({ api, mode, features, tenant, user }: AppProps) {
  useMobileToolbarAriaFix();
  const [path, navigate] = usePath();
  const [tenantOpen, setTenantOpen] = useState(false);
  const [navOpen, setNavOpen] = useState(true);
  const tenantKey = tenant?.value ?? user?.name ?? '';
  const ctx = useMemo<ConsoleContext>(
    () => ({ api, mode, features, tenantKey, navigate }),
    [api, mode, features, tenantKey, navigate],
  );

  const clusterId = /^\/clusters\/([^/]+)\/?$/.exec(path)?.[1];
  const updateId = /^\/clusters\/([^/]+)\/update\/?$/.exec(path)?.[1];
  // Keyed by tenant too: switching tenant never leaves the previous tenant's page (or its buttons) on screen.
  const page = updateId ? (
    <UpdateClusterPage key={`${tenantKey}|${updateId}|update`} id={decodeURIComponent(updateId)} />
  ) : clusterId ? (
    <ClusterPage key={`${tenantKey}|${clusterId}`} id={decodeURIComponent(clusterId)} />
  ) : /^\/clusters\/?$/.test(path) ? (
    <ClustersPage key={tenantKey} />
  ) : path === '/' || path === '/index.html' ? (
    <CreateWizard />
  ) : (
    <NotFound path={path} />
  );
  const active = clusterId || updateId || path.startsWith('/clusters') ? '/clusters' : '/';

  return (
    <Ctx.Provider value={ctx}>
      <div id="top-nav">
        <TopNavigation
          identity={{
            href: '/',
            title: 'eks-provisioner',
            onFollow: (e) => {
              e.preventDefault();
              navigate('/');
            },
          }}
          i18nStrings={{ overflowMenuTriggerText: 'More', overflowMenuTitleText: 'All' }}
          utilities={[
            ...(tenant
              ? [
                  {
                    type: 'button' as const,
                    text: `Tenant: ${tenant.value}`,
                    iconName: 'user-profile' as const,
                    ariaLabel: `Tenant ${tenant.value}; switch tenant`,
                    onClick: () => setTenantOpen(true),
                  },
                ]
              : []),
            ...(user
              ? [
                  {
                    type: 'menu-dropdown' as const,
                    text: user.name,
                    iconName: 'user-profile' as const,
                    items: [{ id: 'signout', text: 'Sign out' }],
                    onItemClick: () => user.signOut(),
                  },
                ]
              : []),
          ]}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        navigationOpen={navOpen}
        onNavigationChange={({ detail }) => setNavOpen(detail.open)}
        ariaLabels={{
          navigation: 'Navigation',
          navigationClose: 'Close navigation',
          navigationToggle: 'Open navigation',
        }}
        navigation={
          <SideNavigation
            activeHref={active}
            header={{ href: '/', text: 'EKS clusters' }}
            onFollow={(e) => {
              if (!e.detail.external) {
                e.preventDefault();
                navigate(e.detail.href);
              }
            }}
            items={[
              { type: 'link', text: 'Create cluster', href: '/' },
              { type: 'link', text: 'Clusters', href: '/clusters' },
            ]}
          />
        }
        content={
          <PageErrorBoundary resetKey={`${tenantKey}|${path}`}>
            <Suspense fallback={<Spinner size="large" />}>{page}</Suspense>
          </PageErrorBoundary>
        }
      />
      {tenant && (
        <TenantModal
          open={tenantOpen}
          value={tenant.value}
          onClose={() => setTenantOpen(false)}
          onSave={(t) => {
            setTenantOpen(false);
            tenant.set(t);
          }}
        />
      )}
    </Ctx.Provider>
  );
}
