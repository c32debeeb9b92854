/** Helpers shared by the printer tests: a fixed clock and object builders. */
import type { KObject } from '../../api/meta.js';

/** Every test reads ages against this instant. */
export const now = new Date('2024-06-01T12:00:00Z');

/** RFC3339 time `seconds` before `now`. */
export const ago = (seconds: number): string =>
  new Date(now.getTime() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An object of the given kind created `ageSeconds` ago. */
export function kobj(
  apiVersion: string,
  kind: string,
  name: string,
  fields: Record<string, unknown> = {},
  ageSeconds = 300,
  meta: Record<string, unknown> = {},
): KObject {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '42',
      creationTimestamp: ago(ageSeconds),
      ...meta,
    },
    ...fields,
  };
}
