/**
 * A compact schema language for the object shapes podnet serves. One
 * schema per kind drives three things, so they can never disagree:
 *  - strict field validation (unknown fields named in the error),
 *  - the OpenAPI v2/v3 documents kubectl reads,
 *  - patch metadata (strategic-merge keys and strategies, SSA list types).
 */

export type Schema =
  | {
      type: 'string';
      format?: 'date-time' | 'byte' | 'int-or-string' | 'quantity';
      enum?: string[];
      description?: string;
    }
  | { type: 'integer'; format?: 'int32' | 'int64'; description?: string }
  | { type: 'number'; format?: 'double'; description?: string }
  | { type: 'boolean'; description?: string }
  /** IntOrString (targetPort, probe ports) */
  | { type: 'int-or-string'; description?: string }
  /** A quantity such as "100m" or "1Gi" (resources): string or number */
  | { type: 'quantity'; description?: string }
  | ObjectSchema
  /** A map with free keys (labels, annotations, nodeSelector, data) */
  | {
      type: 'map';
      values: Schema;
      /** x-kubernetes-map-type "atomic" (nodeSelector, selector) */ atomic?: boolean;
      description?: string;
    }
  | ArraySchema
  /** Anything goes (x-kubernetes-preserve-unknown-fields), e.g. managedFields.fieldsV1 */
  | { type: 'any'; description?: string }
  /** A named definition in the same registry (reuse and recursion) */
  | { type: 'ref'; ref: string; description?: string };

export interface ObjectSchema {
  type: 'object';
  properties: Record<string, Schema>;
  required?: string[];
  /** Strategic merge patch: patchStrategy "retainKeys" on this object */
  retainKeys?: boolean;
  /** For SSA: x-kubernetes-map-type "atomic" */
  atomic?: boolean;
  description?: string;
}

export interface ArraySchema {
  type: 'array';
  items: Schema;
  /** x-kubernetes-patch-merge-key: identity of an item for strategic merge (e.g. "name", "containerPort") */
  mergeKey?: string;
  /** x-kubernetes-patch-strategy */
  patchStrategy?: 'merge' | 'replace' | 'merge,retainKeys';
  /** x-kubernetes-list-type for server-side apply */
  listType?: 'atomic' | 'map' | 'set';
  /** x-kubernetes-list-map-keys when listType is "map" */
  listMapKeys?: string[];
  description?: string;
}

/** Named definitions, keyed like OpenAPI: "io.k8s.api.core.v1.Container" */
export type Definitions = Record<string, Schema>;
