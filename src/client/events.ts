/** Records core/v1 Events about objects, as kube components do (kubectl describe shows them). */
import type { KObject } from '../api/meta.js';
import { nowRFC3339 } from '../api/meta.js';
import type { KubeClient } from './client.js';
import { findResource } from '../api/resources.js';
type Logger = (message: string) => void;
const eventsResource = findResource('', 'v1', 'events')!;

export type EventType = 'Normal' | 'Warning';

/** The Event object kube's recorder would write (name: object name + "." + hex nanosecond timestamp). */
function buildEvent(
  obj: KObject,
  type: EventType,
  reason: string,
  message: string,
  component: string,
  now = new Date(),
): KObject {
  const ts = nowRFC3339(now);
  const namespace = obj.metadata.namespace || 'default';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${obj.metadata.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`,
      namespace,
    },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace || undefined,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    },
    reason,
    message,
    type,
    source: { component },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    reportingComponent: component,
    reportingInstance: '',
  };
}

/** Writes an Event; failures are logged, never thrown (events are best effort, as in kube). */
export async function recordEvent(
  client: KubeClient,
  log: Logger,
  obj: KObject,
  type: EventType,
  reason: string,
  message: string,
  component: string,
): Promise<void> {
  const ev = buildEvent(obj, type, reason, message, component);
  try {
    await client.create(eventsResource, ev.metadata.namespace, ev);
  } catch (e) {
    log(`${component}: could not record event ${reason} for ${obj.kind} ${obj.metadata.name}: ${(e as Error).message}`);
  }
}
