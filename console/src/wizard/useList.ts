/** One form list loaded through role B, reloaded when its query changes; errors kept as the API gave them. */
import { useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { useConsole } from '../api/context';
import { listAll } from '../api/form-data';
import type { ApiErrorBody, FormItem } from '../api/types';

export interface ListState<T> {
  status: 'idle' | 'loading' | 'finished' | 'error';
  items: T[];
  error?: ApiErrorBody;
  notice?: { code: string; message: string };
}

export function useList<T extends FormItem>(
  resource: string,
  query: Record<string, string | undefined> | undefined,
): ListState<T> {
  const { api } = useConsole();
  const [state, setState] = useState<ListState<T>>({ status: 'idle', items: [] });
  const key = query ? JSON.stringify(query) : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is the query by value; the object itself is new on each render.
  useEffect(() => {
    if (!query) {
      setState({ status: 'idle', items: [] });
      return;
    }
    let live = true;
    setState({ status: 'loading', items: [] });
    listAll<T>(api, resource, query).then(
      (page) =>
        live && setState({ status: 'finished', items: page.items, ...(page.notice ? { notice: page.notice } : {}) }),
      (e: unknown) =>
        live &&
        setState({
          status: 'error',
          items: [],
          error: e instanceof ApiError ? e.error : { code: 'ERROR', message: String(e) },
        }),
    );
    return () => {
      live = false;
    };
  }, [api, resource, key]);
  return state;
}
