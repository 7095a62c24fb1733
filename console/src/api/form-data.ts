/** Form lists through role B: GET /v1/aws/{resource}, following nextToken to the last page. */
import type { ApiClient } from './client';
import type { FormItem, FormPage } from './types';

/** A generous stop so a misbehaving token can never loop forever. */
const MAX_PAGES = 50;

export async function listAll<T extends FormItem>(
  api: ApiClient,
  resource: string,
  query: Record<string, string | undefined>,
): Promise<FormPage<T>> {
  const items: T[] = [];
  let notice: FormPage['notice'];
  let nextToken: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await api.get<FormPage<T>>(`/v1/aws/${resource}`, { ...query, ...(nextToken ? { nextToken } : {}) });
    items.push(...page.items);
    notice ??= page.notice;
    if (!page.nextToken || page.nextToken === nextToken) break;
    nextToken = page.nextToken;
  }
  return { items, ...(notice ? { notice } : {}) };
}
