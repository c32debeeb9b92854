/**
 * `kubectl get events`: Last Seen, Type, Reason, Object, Message; wide
 * Subobject, Source, First Seen, Count, Name. Handles both the old
 * (firstTimestamp/lastTimestamp/count) and the new (eventTime/series) styles.
 */
import type { KObject } from '../../api/meta.js';
import { column, doc, nameColumn } from './columns.js';
import { since } from './duration.js';
import { num, obj, str } from './format.js';
import type { Printer, PrintedRow } from './types.js';

/** "component, host", falling back to reportingComponent / reportingInstance. */
function formatSource(ev: KObject): string {
  const source = obj(ev['source']);
  const component = str(source['component']) || str(ev['reportingComponent']);
  const instance = str(source['host']) || str(ev['reportingInstance']);
  return instance === '' ? component : `${component}, ${instance}`;
}

function printEvent(ev: KObject, now: Date): PrintedRow {
  const first = str(ev['firstTimestamp']) ? since(ev['firstTimestamp'], now) : since(ev['eventTime'], now);
  let last = str(ev['lastTimestamp']) ? since(ev['lastTimestamp'], now) : first;
  let count = num(ev['count']);
  const series = ev['series'];
  if (series !== undefined && series !== null) {
    last = since(obj(series)['lastObservedTime'], now);
    count = num(obj(series)['count']);
  } else if (count === 0) {
    // Singleton events from the events.k8s.io API carry no count.
    count = 1;
  }
  const involved = obj(ev['involvedObject']);
  const kind = str(involved['kind']).toLowerCase();
  const target = str(involved['name']) !== '' ? `${kind}/${str(involved['name'])}` : kind;
  return {
    cells: [
      last,
      str(ev['type']),
      str(ev['reason']),
      target,
      str(involved['fieldPath']),
      formatSource(ev),
      str(ev['message']).trim(),
      first,
      count,
      ev.metadata.name ?? '',
    ],
  };
}

export const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', doc['Event.lastTimestamp']),
    column('Type', 'string', doc['Event.type']),
    column('Reason', 'string', doc['Event.reason']),
    column('Object', 'string', doc['Event.involvedObject']),
    column('Subobject', 'string', doc['ObjectReference.fieldPath'], 1),
    column('Source', 'string', doc['Event.source'], 1),
    column('Message', 'string', doc['Event.message']),
    column('First Seen', 'string', doc['Event.firstTimestamp'], 1),
    column('Count', 'string', doc['Event.count'], 1),
    nameColumn(1),
  ],
  print: printEvent,
};
