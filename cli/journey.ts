/**
 * The seed's steps on the command line: `roles add` ("Authenticate with AWS"), `aws <list>` (the
 * form's lists, loaded through role B, every page followed) and `list` (the tenant's clusters).
 * Tables for people, `--json` for scripts. Exit codes as the other commands: 0 ok, 2 refused.
 */
import type { ClusterRecordView } from './api-client.js';
import { type ApiOptions, apiClient } from './connect.js';
import { say, style, warn } from './terminal.js';

/** The API's form-data lists (GET /v1/aws/{resource}). */
export const AWS_LISTS = [
  'regions',
  'vpcs',
  'subnets',
  'security-groups',
  'key-pairs',
  'instance-types',
  'roles',
  'kubernetes-versions',
  'principals',
] as const;
export type AwsList = (typeof AWS_LISTS)[number];

/** A runaway nextToken chain stops here (the API itself caps the pages it reads from AWS). */
export const MAX_PAGES = 100;

interface Page<T> {
  items: T[];
  nextToken?: string;
  notice?: { code: string; message: string };
}

/** Left-aligned columns; cells are flattened to one line. */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string[] {
  const cell = (v: unknown) =>
    (v === undefined || v === null
      ? ''
      : Array.isArray(v)
        ? v.join(', ')
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v)
    ).replace(/\s+/g, ' ');
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)];
}

/** Columns: id and name first, then every other field the items have, in the order they appear. */
export function columnsOf(items: Array<Record<string, unknown>>): string[] {
  const cols = ['id', 'name'];
  for (const item of items) for (const k of Object.keys(item)) if (!cols.includes(k)) cols.push(k);
  return cols;
}

async function allPages<T>(fetchPage: (nextToken?: string) => Promise<Page<T>>): Promise<Page<T>> {
  const items: T[] = [];
  let notice: Page<T>['notice'];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const p = await fetchPage(token);
    items.push(...p.items);
    notice ??= p.notice;
    if (!p.nextToken || p.nextToken === token) return { items, ...(notice ? { notice } : {}) };
    token = p.nextToken;
  }
  throw new Error(
    `The API kept answering with a nextToken after ${MAX_PAGES} pages; stopped. Narrow the listing (--region, --vpc-id).`,
  );
}

export async function rolesAdd(roleArn: string, o: ApiOptions & { region: string; json: boolean }): Promise<number> {
  const res = await apiClient(o).post<{ roleArn: string; region: string; accountId: string }>('/v1/roles', {
    roleArn,
    region: o.region,
  });
  if (o.json) say(JSON.stringify(res.body, null, 2));
  else
    say(
      `${style.green('Authenticated with AWS')}: ${res.body.roleArn} (account ${res.body.accountId}), cluster region ${res.body.region}.`,
    );
  return 0;
}

export async function awsList(
  list: AwsList,
  o: ApiOptions & { roleArn: string; region?: string; vpcId?: string; json: boolean },
): Promise<number> {
  const api = apiClient(o);
  const page = await allPages<Record<string, unknown>>((nextToken) => {
    const q = new URLSearchParams({ roleArn: o.roleArn });
    if (o.region) q.set('region', o.region);
    if (o.vpcId) q.set('vpcId', o.vpcId);
    if (nextToken) q.set('nextToken', nextToken);
    return api.get<Page<Record<string, unknown>>>(`/v1/aws/${list}?${q}`);
  });
  if (o.json) {
    say(JSON.stringify(page, null, 2));
    return 0;
  }
  if (page.notice) warn(page.notice.message);
  if (page.items.length === 0) {
    say(`No ${list}.`);
    return 0;
  }
  for (const line of table(page.items, columnsOf(page.items))) say(line);
  return 0;
}

export async function list(o: ApiOptions & { json: boolean }): Promise<number> {
  const api = apiClient(o);
  const page = await allPages<ClusterRecordView>((nextToken) =>
    api.get<Page<ClusterRecordView>>(
      `/v1/clusters?limit=100${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`,
    ),
  );
  if (o.json) {
    say(JSON.stringify(page.items, null, 2));
    return 0;
  }
  if (page.items.length === 0) {
    say('No clusters yet. Create one with `eks-provisioner provision <settings.json>`.');
    return 0;
  }
  const rows = page.items.map((c) => ({
    id: c.id,
    name: c.name,
    status: c.status,
    phase: c.phase ?? '',
    progress: c.progress ? `${c.progress.done}/${c.progress.total}` : '',
    region: (c as { region?: string }).region ?? '',
    created: c.createdAt ?? '',
  }));
  for (const line of table(rows, ['id', 'name', 'status', 'phase', 'progress', 'region', 'created'])) say(line);
  return 0;
}
