/**
 * The pure API rules the registry applies to every write, injected so the
 * registry itself stays generic: defaulting, validation, strict field
 * checking and pruning, selectors, patch application.
 */
import type { FieldError } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import type { ResourceInfo } from '../../api/resources.js';

export type ObjectPredicate = (obj: KObject) => boolean;

export interface ApiRules {
  applyDefaults(ri: ResourceInfo, obj: KObject): void;
  validateCreate(ri: ResourceInfo, obj: KObject): FieldError[];
  validateUpdate(ri: ResourceInfo, obj: KObject, old: KObject, subresource?: string): FieldError[];
  /**
   * Drop fields the kind's schema does not know (what kube's decoder does in
   * Warn/Ignore modes) and return their paths as kube names them ("spec.foo"),
   * for strict field validation.
   */
  prune(ri: ResourceInfo, obj: KObject): string[];
  /**
   * Go's decoding error for the first value whose JSON type does not fit the
   * kind's schema (a number where a string belongs), or undefined.
   */
  typeError(ri: ResourceInfo, obj: KObject): string | undefined;
  /** A predicate for ?labelSelector= and ?fieldSelector=; throws ApiError 400 on bad syntax or unsupported fields. */
  selector(ri: ResourceInfo, labelSelector: string | null, fieldSelector: string | null): ObjectPredicate | undefined;
  /** Apply a PATCH body of the given content type to the live object. */
  patch(ri: ResourceInfo, contentType: string, live: KObject, body: string): KObject;
  /** Server-side apply: merge the applied configuration into live (or undefined: create). */
  apply(
    ri: ResourceInfo,
    live: KObject | undefined,
    applied: KObject,
    manager: string,
    force: boolean,
    now: string,
  ): KObject;
  /** Record field ownership for a non-apply write. */
  trackUpdate(
    ri: ResourceInfo,
    old: KObject | undefined,
    updated: KObject,
    manager: string,
    subresource: string | undefined,
    now: string,
  ): void;
}
