/** What the client asked to get back (Accept): plain JSON/YAML, a Table, or PartialObjectMetadata. */
import { errors } from '../../api/errors.js';

export type Representation =
  | { as: 'object'; format: 'json' | 'yaml' }
  | { as: 'table'; version: 'v1' | 'v1beta1' }
  | { as: 'metadata'; version: 'v1' | 'v1beta1' };

interface Clause {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(accept: string | undefined): Clause[] {
  if (!accept) return [];
  return accept.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim();
    }
    return { type: (type ?? '').toLowerCase(), params: p };
  });
}

/** Choose the representation for a resource GET/LIST/WATCH. */
export function negotiate(accept: string | undefined): Representation {
  const clauses = parseAccept(accept);
  if (clauses.length === 0) return { as: 'object', format: 'json' };
  for (const c of clauses) {
    const isJson = c.type === 'application/json' || c.type === '*/*' || c.type === 'application/*';
    if (c.params['as'] && c.params['g'] === 'meta.k8s.io' && isJson) {
      const version = c.params['v'] === 'v1beta1' ? 'v1beta1' : c.params['v'] === 'v1' ? 'v1' : undefined;
      if (!version) continue;
      if (c.params['as'] === 'Table') return { as: 'table', version };
      if (c.params['as'] === 'PartialObjectMetadata' || c.params['as'] === 'PartialObjectMetadataList')
        return { as: 'metadata', version };
      continue;
    }
    if (c.params['as']) continue;
    if (isJson) return { as: 'object', format: 'json' };
    if (c.type === 'application/yaml') return { as: 'object', format: 'yaml' };
  }
  throw errors.notAcceptable(
    `only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io`,
  );
}
