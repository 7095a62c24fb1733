/**
 * The DynamoDB store's idempotency rules over a Map, for the in-memory stores of the unit tests:
 * the first write wins, and a pending answer is replaced only by the attempt that wrote it.
 */
import type { IdempotencyRecord } from '../../functions/lib/store/types.js';

const keyOf = (tenantId: string, key: string): string => `${tenantId}|${key}`;

export function getIdempotency(
  map: Map<string, IdempotencyRecord>,
  tenantId: string,
  key: string,
): IdempotencyRecord | undefined {
  return map.get(keyOf(tenantId, key));
}

export function putIdempotency(map: Map<string, IdempotencyRecord>, record: IdempotencyRecord): IdempotencyRecord {
  const k = keyOf(record.tenantId, record.key);
  if (!map.has(k)) map.set(k, record);
  return map.get(k)!;
}

export function updateIdempotency(
  map: Map<string, IdempotencyRecord>,
  record: IdempotencyRecord,
  expected: { id: string; attempt: number },
): IdempotencyRecord | undefined {
  const k = keyOf(record.tenantId, record.key);
  const seen = map.get(k);
  const body = seen?.body as { pending?: boolean; id?: string; attempt?: number } | undefined;
  if (
    seen &&
    seen.requestHash === record.requestHash &&
    body?.pending === true &&
    body.id === expected.id &&
    body.attempt === expected.attempt
  )
    map.set(k, record);
  return map.get(k);
}
