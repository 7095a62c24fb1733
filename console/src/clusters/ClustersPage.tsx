/** The tenant's clusters, newest first, with their status and the actions the API offers. */
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { useConsole } from '../api/context';
import type { ApiErrorBody, ClusterRecord } from '../api/types';
import DiagnosisAlert, { fromApiError } from '../components/DiagnosisAlert';
import DeleteCluster from './DeleteCluster';
import { ClusterStatus, isBusy } from './status';

const MAX_PAGES = 20;

/** Phone width: the list keeps the columns that matter and wraps, so the page never scrolls sideways. */
function useNarrow(): boolean {
  const query = '(max-width: 688px)';
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const on = () => setNarrow(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return narrow;
}

export default function ClustersPage() {
  const { api, navigate, features, tenantKey } = useConsole();
  const [items, setItems] = useState<ClusterRecord[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiErrorBody>();
  const [selected, setSelected] = useState<ClusterRecord[]>([]);
  const [tick, setTick] = useState(0);
  // DELETED clusters are history: hidden unless asked for.
  const [showDeleted, setShowDeleted] = useState(false);
  const narrow = useNarrow();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` (Refresh) and `tenantKey` (tenant switch) reload the list.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      setLoading(true);
      try {
        const all: ClusterRecord[] = [];
        let nextToken: string | undefined;
        for (let i = 0; i < MAX_PAGES; i++) {
          const page = await api.get<{ items: ClusterRecord[]; nextToken?: string }>('/v1/clusters', {
            limit: '100',
            nextToken,
          });
          all.push(...page.items);
          if (!page.nextToken) break;
          nextToken = page.nextToken;
        }
        if (!live) return;
        all.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
        setItems(all);
        setError(undefined);
        // Keep statuses fresh while something is in progress.
        if (all.some((c) => isBusy(c.status))) timer = setTimeout(() => setTick((t) => t + 1), 3000);
      } catch (e) {
        if (live) setError(e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) });
      } finally {
        if (live) setLoading(false);
      }
    })();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [api, tick, tenantKey]);

  const chosen = selected[0];
  const deletedCount = items.filter((c) => c.status === 'DELETED').length;
  const shown = showDeleted ? items : items.filter((c) => c.status !== 'DELETED');
  return (
    <SpaceBetween size="m">
      {error && <DiagnosisAlert diagnosis={fromApiError(error)} />}
      <Table
        items={shown}
        loading={loading && items.length === 0}
        wrapLines={narrow}
        {...(narrow
          ? {
              columnDisplay: [
                { id: 'name', visible: true },
                { id: 'status', visible: true },
                { id: 'phase', visible: false },
                { id: 'scope', visible: false },
                { id: 'region', visible: true },
                { id: 'account', visible: false },
                { id: 'created', visible: false },
              ],
            }
          : {})}
        loadingText="Loading clusters"
        trackBy="id"
        variant="full-page"
        {...(features.deleteCluster
          ? {
              selectionType: 'single' as const,
              selectedItems: selected,
              onSelectionChange: ({ detail }: { detail: { selectedItems: ClusterRecord[] } }) =>
                setSelected(detail.selectedItems),
            }
          : {})}
        ariaLabels={{
          selectionGroupLabel: 'Clusters',
          itemSelectionLabel: (_s, c) => c.name,
          allItemsSelectionLabel: () => 'All clusters',
          tableLabel: 'Clusters',
        }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={`(${shown.length})`}
            description={
              <Toggle
                checked={showDeleted}
                onChange={({ detail }) => setShowDeleted(detail.checked)}
                data-testid="show-deleted"
              >
                Show deleted clusters{deletedCount ? ` (${deletedCount})` : ''}
              </Toggle>
            }
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button iconName="refresh" ariaLabel="Refresh" onClick={() => setTick((t) => t + 1)} />
                {features.deleteCluster && chosen && (
                  <DeleteCluster
                    cluster={chosen}
                    disabled={isBusy(chosen.status) || chosen.status === 'DELETED'}
                    onDone={() => setTick((t) => t + 1)}
                  />
                )}
                <Button variant="primary" onClick={() => navigate('/')}>
                  Create cluster
                </Button>
              </SpaceBetween>
            }
          >
            Clusters
          </Header>
        }
        columnDefinitions={[
          {
            id: 'name',
            header: 'Name',
            cell: (c) => (
              <Link
                href={`/clusters/${encodeURIComponent(c.id)}`}
                onFollow={(e) => {
                  e.preventDefault();
                  navigate(`/clusters/${encodeURIComponent(c.id)}`);
                }}
              >
                {c.name}
              </Link>
            ),
          },
          { id: 'status', header: 'Status', cell: (c) => <ClusterStatus status={c.status} /> },
          { id: 'phase', header: 'Phase', cell: (c) => c.phase ?? '—' },
          { id: 'scope', header: 'Environment scope', cell: (c) => c.environmentScope ?? '—' },
          { id: 'region', header: 'Region', cell: (c) => c.region ?? '—' },
          { id: 'account', header: 'Account', cell: (c) => <span className="nowrap">{c.accountId ?? '—'}</span> },
          {
            id: 'created',
            header: 'Created',
            cell: (c) => (c.createdAt ? new Date(c.createdAt).toLocaleString() : '—'),
          },
        ]}
        empty={
          // After a failed load the list is unknown, not empty: the alert above says why.
          error ? (
            <Box textAlign="center" color="inherit" data-testid="clusters-unknown">
              <SpaceBetween size="xs">
                <b>The clusters could not be loaded</b>
                <Button onClick={() => setTick((t) => t + 1)}>Try again</Button>
              </SpaceBetween>
            </Box>
          ) : (
            <Box textAlign="center" color="inherit">
              <SpaceBetween size="xs">
                <b>
                  {deletedCount && !showDeleted ? `No clusters (${deletedCount} deleted, hidden)` : 'No clusters yet'}
                </b>
                <Button onClick={() => navigate('/')}>Create cluster</Button>
              </SpaceBetween>
            </Box>
          )
        }
      />
    </SpaceBetween>
  );
}
