import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, isReview, resources } from '../../api/resources.js';
import { printerFor, toTable } from './index.js';
import { kobj, now } from './testdata.js';

const pods = findResource('', 'v1', 'pods')!;
const web = kobj(
  'v1',
  'Pod',
  'web-0',
  {
    spec: { containers: [{ name: 'app', image: 'nginx' }], nodeName: 'node-1' },
    status: {
      phase: 'Running',
      podIP: '10.244.1.5',
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
    },
  },
  90,
  { labels: { app: 'web' } },
);

describe('toTable', () => {
  test('a list as kubectl get pods -o wide receives it', () => {
    const table = toTable(pods, [web], {
      includeObject: 'Metadata',
      listMeta: { resourceVersion: '1234', continue: 'abc', remainingItemCount: 3 },
      now,
    });
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.metadata, { resourceVersion: '1234', continue: 'abc', remainingItemCount: 3 });
    assert.deepEqual(table.rows[0]!.cells, [
      'web-0',
      '1/1',
      'Running',
      '0',
      '90s',
      '10.244.1.5',
      'node-1',
      '<none>',
      '<none>',
    ]);
    assert.deepEqual(table.rows[0]!.object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: web.metadata,
    });
    for (const c of table.columnDefinitions) {
      assert.deepEqual(Object.keys(c).sort(), ['description', 'format', 'name', 'priority', 'type']);
      assert.ok(c.description.length > 0, `${c.name} has a description`);
    }
  });

  test('includeObject Object embeds the object, None embeds nothing', () => {
    assert.deepEqual(toTable(pods, [web], { includeObject: 'Object', now }).rows[0]!.object, web);
    assert.equal('object' in toTable(pods, [web], { includeObject: 'None', now }).rows[0]!, false);
  });

  test('v1beta1 for older clients: table and partial metadata in meta.k8s.io/v1beta1', () => {
    const table = toTable(pods, [web], { includeObject: 'Metadata', version: 'v1beta1', now });
    assert.equal(table.apiVersion, 'meta.k8s.io/v1beta1');
    assert.equal((table.rows[0]!.object as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
  });

  test('empty list still carries columns; empty listMeta stays empty', () => {
    const table = toTable(pods, [], { includeObject: 'Metadata', now });
    assert.equal(table.rows.length, 0);
    assert.equal(table.columnDefinitions.length, 9);
    assert.deepEqual(table.metadata, {});
  });

  test('noHeaders (watch events after the first) drops column definitions only', () => {
    const table = toTable(pods, [web], { includeObject: 'Object', noHeaders: true, now });
    assert.deepEqual(table.columnDefinitions, []);
    assert.equal(table.rows[0]!.cells.length, 9);
  });

  test('row conditions pass through for completed pods', () => {
    const done = kobj('v1', 'Pod', 'job-1', { spec: { containers: [{ name: 'c' }] }, status: { phase: 'Succeeded' } });
    assert.equal(toTable(pods, [done], { includeObject: 'None', now }).rows[0]!.conditions?.[0]?.type, 'Completed');
  });

  test('every served resource has its own printer, with cells matching its columns', () => {
    for (const ri of resources) {
      // Reviews are never listed; kube prints roles as Name and Created At itself.
      if (isReview(ri)) continue;
      const printer = printerFor(ri);
      if (ri.resource !== 'roles' && ri.resource !== 'clusterroles')
        assert.notEqual(printer.columns[1]?.name, 'Created At', `${ri.resource} falls back to the default printer`);
      const row = printer.print(kobj(`${ri.group ? `${ri.group}/` : ''}${ri.version}`, ri.kind, 'empty'), now);
      assert.equal(row.cells.length, printer.columns.length, `${ri.resource}: cells vs columns`);
    }
  });

  test('unknown resources get Name and Created At', () => {
    const table = toTable({ group: 'example.com', resource: 'widgets' }, [kobj('example.com/v1', 'Widget', 'w')], {
      includeObject: 'None',
      now,
    });
    assert.deepEqual(
      table.columnDefinitions.map((c) => [c.name, c.type, c.format]),
      [
        ['Name', 'string', 'name'],
        ['Created At', 'date', ''],
      ],
    );
    assert.deepEqual(table.rows[0]!.cells, ['w', '2024-06-01T11:55:00Z']);
  });
});
