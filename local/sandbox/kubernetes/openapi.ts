/**
 * OpenAPI v3, as far as kubectl needs it: `kubectl apply` will not send an object until it knows how the
 * server validates fields. It reads /openapi/v3 (the index of group-versions) and the group-version's
 * document, and looks for the `fieldValidation` query parameter on the kind's PATCH operation (found by
 * `x-kubernetes-group-version-kind`); with it, validation happens on the server (`?fieldValidation=Strict`)
 * and no schema is needed on the client. The documents here hold those operations only, no schemas:
 * kubectl then computes strategic merge patches from its compiled-in types, as it does when a schema is
 * missing. /openapi/v2 (protobuf only) is not served.
 */
import { createHash } from 'node:crypto';

export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiDocument(resources: Record<string, ApiResource>, gv: string): unknown | undefined {
  const paths: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(resources)) {
    if (gvPath(d.group, d.version) !== gv || name.includes('/')) continue;
    const base = `/${gv}${d.namespaced ? '/namespaces/{namespace}' : ''}/${name}/{name}`;
    const gvk = { group: d.group, version: d.version, kind: d.kind };
    const param = {
      name: 'fieldValidation',
      in: 'query',
      description:
        'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
      schema: { type: 'string', uniqueItems: true },
    };
    const op = (id: string) => ({
      operationId: id,
      'x-kubernetes-action': id.startsWith('patch') ? 'patch' : 'put',
      'x-kubernetes-group-version-kind': gvk,
      parameters: [param],
      responses: { '200': { description: 'OK' } },
    });
    const entry: Record<string, unknown> = {};
    if (d.verbs.includes('patch')) entry['patch'] = op(`patch${d.kind}`);
    if (d.verbs.includes('update')) entry['put'] = op(`replace${d.kind}`);
    if (Object.keys(entry).length) paths[base] = entry;
  }
  if (!Object.keys(paths).length) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: { schemas: {} },
  };
}

export function openApiIndex(resources: Record<string, ApiResource>): unknown {
  const gvs = [...new Set(Object.values(resources).map((d) => gvPath(d.group, d.version)))].sort();
  const paths: Record<string, unknown> = {};
  for (const gv of gvs) {
    const doc = openApiDocument(resources, gv);
    if (!doc) continue;
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` };
  }
  return { paths };
}
