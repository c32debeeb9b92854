/**
 * Selectors for list/watch filtering (?labelSelector=, ?fieldSelector=) and
 * for spec selectors (Service.spec.selector, NetworkPolicy podSelector, ...).
 */
import type { KObject } from '../meta.js';
import type { ResourceInfo } from '../resources.js';
import { fieldSelectorFor, fieldsFor, matchesFields } from './fields.js';
import { matchesLabels, parseLabelSelector } from './labels.js';

export * from './labels.js';
export * from './fields.js';

/**
 * One predicate for a list/watch request, or undefined when nothing filters.
 * Throws ApiError 400 on bad syntax or an unsupported field.
 */
export function objectPredicate(
  ri: ResourceInfo,
  labelSelector: string | null,
  fieldSelector: string | null,
): ((obj: KObject) => boolean) | undefined {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? fieldSelectorFor(ri, fieldSelector) : undefined;
  if (!labels?.requirements.length && !fields?.requirements.length) return undefined;
  return (obj) =>
    (!labels || matchesLabels(labels, obj.metadata.labels)) && (!fields || matchesFields(fields, fieldsFor(ri, obj)));
}
