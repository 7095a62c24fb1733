/**
 * Kubernetes' protobuf envelope (`application/vnd.kubernetes.protobuf`), decoded for the few request
 * bodies kubectl's typed clients send that way: `kubectl auth can-i` (SelfSubjectAccessReview,
 * SelfSubjectRulesReview) and `kubectl auth whoami` (SelfSubjectReview). The envelope is the magic
 * `k8s\0` followed by a runtime.Unknown { typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2 }; field
 * numbers below are from k8s.io/api/authorization/v1/generated.proto. Other kinds are not decoded: the
 * caller answers 415 Unsupported Media Type, as kube-apiserver does for a type with no protobuf form.
 */

type Fields = Map<number, (Buffer | number)[]>;

function varint(b: Buffer, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    if (at >= b.length) throw new Error('truncated varint');
    const byte = b[at++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [v, at];
    shift += 7;
  }
}

function fields(b: Buffer): Fields {
  const out: Fields = new Map();
  let at = 0;
  while (at < b.length) {
    const [tag, next] = varint(b, at);
    at = next;
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    let v: Buffer | number;
    if (wire === 0) [v, at] = varint(b, at);
    else if (wire === 2) {
      const [len, start] = varint(b, at);
      if (start + len > b.length) throw new Error('truncated field');
      v = b.subarray(start, start + len);
      at = start + len;
    } else if (wire === 1) {
      v = b.subarray(at, at + 8);
      at += 8;
    } else if (wire === 5) {
      v = b.subarray(at, at + 4);
      at += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    out.set(num, [...(out.get(num) ?? []), v]);
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const msg = (f: Fields, n: number): Fields | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : undefined;
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The JSON form of a protobuf-encoded review object, or undefined when it is not one we decode. */
export function decodeProtobufReview(body: Buffer): Record<string, unknown> | undefined {
  try {
    if (!body.subarray(0, 4).equals(MAGIC)) return undefined;
    const unknown = fields(body.subarray(4));
    const typeMeta = msg(unknown, 1);
    const apiVersion = typeMeta ? str(typeMeta, 1) : undefined;
    const kind = typeMeta ? str(typeMeta, 2) : undefined;
    const raw = unknown.get(2)?.[0];
    const obj = Buffer.isBuffer(raw) ? fields(raw) : new Map();
    const spec = msg(obj, 2);
    if (kind === 'SelfSubjectReview') return { apiVersion, kind, metadata: {} };
    if (kind === 'SelfSubjectRulesReview')
      return { apiVersion, kind, metadata: {}, spec: { namespace: spec ? (str(spec, 1) ?? '') : '' } };
    if (kind === 'SelfSubjectAccessReview') {
      const ra = spec ? msg(spec, 1) : undefined;
      const nra = spec ? msg(spec, 2) : undefined;
      const names = ['', 'namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
      const resourceAttributes = ra
        ? Object.fromEntries(names.map((k, i) => [k, str(ra, i)]).filter(([k, v]) => k && v !== undefined))
        : undefined;
      const nonResourceAttributes = nra ? { path: str(nra, 1) ?? '', verb: str(nra, 2) ?? '' } : undefined;
      return {
        apiVersion,
        kind,
        metadata: {},
        spec: {
          ...(resourceAttributes ? { resourceAttributes } : {}),
          ...(nonResourceAttributes ? { nonResourceAttributes } : {}),
        },
      };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
