import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openapiV2Document, openapiV3Document, openapiV3Hash, openapiV3Index, patchContentTypes } from './openapi.js';
import { acceptsOpenAPIV2Protobuf, openapiV2Protobuf } from './openapi-v2-proto.js';

type J = Record<string, any>;
const v3 = (path: string): J => openapiV3Document(path) as J;
const gvk = (group: string, version: string, kind: string) => ({ group, version, kind });

describe('openapi v3 index', () => {
  test('lists every served group version with a content-hash URL', () => {
    const paths = openapiV3Index().paths;
    assert.deepEqual(Object.keys(paths).sort(), [
      'api/v1',
      'apis/apps/v1',
      'apis/authentication.k8s.io/v1',
      'apis/authorization.k8s.io/v1',
      'apis/coordination.k8s.io/v1',
      'apis/discovery.k8s.io/v1',
      'apis/networking.k8s.io/v1',
      'apis/rbac.authorization.k8s.io/v1',
    ]);
    const doc = openapiV3Document('api/v1');
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
    assert.equal(paths['api/v1']!.serverRelativeURL, `/openapi/v3/api/v1?hash=${hash}`);
    assert.equal(openapiV3Hash('/openapi/v3/api/v1?hash=x'), hash);
  });

  test('apps/v1: the scale subresource answers in autoscaling/v1 Scale, tagged apps_v1, schema included', () => {
    const doc = openapiV3Document('apis/apps/v1') as {
      paths: Record<string, Record<string, { tags?: string[]; 'x-kubernetes-group-version-kind'?: object }>>;
      components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: object[] }> };
    };
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!;
    assert.deepEqual(scale['patch']!['x-kubernetes-group-version-kind'], {
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
    assert.deepEqual(scale['get']!.tags, ['apps_v1']);
    assert.deepEqual(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']?.['x-kubernetes-group-version-kind'], [
      { group: 'autoscaling', kind: 'Scale', version: 'v1' },
    ]);
    assert.ok(doc.components.schemas['io.k8s.api.apps.v1.Deployment']);
    assert.ok(doc.components.schemas['io.k8s.api.core.v1.PodTemplateSpec']);
  });

  test('unknown group versions have no document', () => {
    assert.equal(openapiV3Document('apis/batch/v1'), undefined);
    assert.equal(openapiV3Hash('api/v2'), undefined);
  });
});

describe('openapi v3 document (what kubectl reads)', () => {
  const core = v3('api/v1');

  test('pod PATCH names its GVK, lists fieldValidation and offers strategic merge patch (QueryParamVerifierV3, apply)', () => {
    const patch = core['paths']['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], gvk('', 'v1', 'Pod'));
    assert.equal(patch['x-kubernetes-action'], 'patch');
    const names = patch.parameters.filter((p: J) => p.in === 'query').map((p: J) => p.name);
    assert.deepEqual(names, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    assert.deepEqual(Object.keys(patch.requestBody.content), [...patchContentTypes]);
    assert.ok('application/strategic-merge-patch+json' in patch.requestBody.content);
  });

  test('every PATCH operation of every group lists fieldValidation (kubectl checks the first one it meets)', () => {
    for (const path of Object.keys(openapiV3Index().paths)) {
      for (const [p, item] of Object.entries(v3(path)['paths'] as J)) {
        if (!item.patch) continue;
        assert.ok(
          item.patch.parameters.some((x: J) => x.name === 'fieldValidation' && x.in === 'query'),
          p,
        );
        assert.ok(item.patch['x-kubernetes-group-version-kind'], p);
      }
    }
  });

  test('pods POST takes fieldValidation, dryRun and fieldManager', () => {
    const post = core['paths']['/api/v1/namespaces/{namespace}/pods'].post;
    assert.deepEqual(
      post.parameters.map((p: J) => p.name),
      ['dryRun', 'fieldManager', 'fieldValidation'],
    );
    assert.equal(post['x-kubernetes-action'], 'post');
    assert.equal(post.requestBody.content['*/*'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.Pod');
  });

  test('kinds carry x-kubernetes-group-version-kind as a list; patch metadata is on the fields', () => {
    const schemas = core['components']['schemas'];
    assert.deepEqual(schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [gvk('', 'v1', 'Pod')]);
    const containers = schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(containers.items.$ref, '#/components/schemas/io.k8s.api.core.v1.Container');
    const ports = schemas['io.k8s.api.core.v1.Container'].properties.ports;
    assert.equal(ports['x-kubernetes-list-type'], 'map');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
    assert.equal(
      schemas['io.k8s.api.core.v1.PodSpec'].properties.volumes['x-kubernetes-patch-strategy'],
      'merge,retainKeys',
    );
    assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['x-kubernetes-int-or-string'], true);
    assert.equal(
      schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry'].properties.fieldsV1[
        'x-kubernetes-preserve-unknown-fields'
      ],
      true,
    );
    assert.equal(schemas['io.k8s.api.core.v1.PodSpec'].properties.nodeSelector['x-kubernetes-map-type'], 'atomic');
  });

  test('every $ref in a document resolves inside it', () => {
    for (const path of Object.keys(openapiV3Index().paths)) {
      const doc = v3(path);
      const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
      for (const r of refs) assert.ok(doc['components']['schemas'][r.slice(29, -1)], `${path}: ${r}`);
    }
  });

  test('explain finds the GVK on the collection path of a group resource', () => {
    const net = v3('apis/networking.k8s.io/v1');
    assert.deepEqual(
      net['paths']['/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses'].get[
        'x-kubernetes-group-version-kind'
      ],
      gvk('networking.k8s.io', 'v1', 'Ingress'),
    );
    assert.deepEqual(
      net['paths']['/apis/networking.k8s.io/v1/ingressclasses/{name}'].get['x-kubernetes-group-version-kind'],
      gvk('networking.k8s.io', 'v1', 'IngressClass'),
    );
  });
});

describe('openapi v2', () => {
  const doc = openapiV2Document() as J;

  test('swagger 2.0 with definitions and PATCH consumes (kubectl 1.27 v2 patcher)', () => {
    assert.equal(doc['swagger'], '2.0');
    const patch = doc['paths']['/api/v1/namespaces/{namespace}/services/{name}'].patch;
    assert.deepEqual(patch.consumes, [...patchContentTypes]);
    assert.ok(patch.parameters.some((p: J) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.equal(
      doc['definitions']['io.k8s.api.core.v1.ServiceSpec'].properties.ports['x-kubernetes-patch-merge-key'],
      'port',
    );
    assert.deepEqual(doc['definitions']['io.k8s.api.coordination.v1.Lease']['x-kubernetes-group-version-kind'], [
      gvk('coordination.k8s.io', 'v1', 'Lease'),
    ]);
  });

  test('protobuf form is gnostic Document: swagger, paths and definitions with extensions', () => {
    const fields = readFields(openapiV2Protobuf());
    assert.equal(text(fields.get(1)![0]!), '2.0');
    const defs = readFields(fields.get(9)![0]!).get(1)!.map(readFields);
    const pod = defs.find((d) => text(d.get(1)![0]!) === 'io.k8s.api.core.v1.Pod');
    assert.ok(pod, 'Pod definition present');
    const ext = readFields(pod.get(2)![0]!).get(31)!.map(readFields);
    const gvkExt = ext.find((e) => text(e.get(1)![0]!) === 'x-kubernetes-group-version-kind')!;
    assert.deepEqual(JSON.parse(text(readFields(gvkExt.get(2)![0]!).get(2)![0]!)), [gvk('', 'v1', 'Pod')]);
    assert.ok(fields.get(8)![0]!.length > 1000, 'paths encoded');
  });

  test('protobuf Accept is recognised in both spellings', () => {
    assert.equal(acceptsOpenAPIV2Protobuf('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), true);
    assert.equal(acceptsOpenAPIV2Protobuf('application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), true);
    assert.equal(acceptsOpenAPIV2Protobuf('application/json'), false);
  });
});

/** Minimal protobuf wire reader: length-delimited fields by number (the only kind our messages nest). */
function readFields(b: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  let i = 0;
  const varint = (): number => {
    let n = 0,
      mul = 1,
      byte: number;
    do {
      byte = b[i++]!;
      n += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    return n;
  };
  while (i < b.length) {
    const key = varint();
    const field = Math.floor(key / 8),
      wire = key % 8;
    if (wire === 0) {
      varint();
      continue;
    }
    if (wire !== 2) throw new Error(`unexpected wire type ${wire}`);
    const len = varint();
    const val = b.subarray(i, i + len);
    i += len;
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(val);
  }
  return out;
}
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
