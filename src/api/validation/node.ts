/** Node rules: podCIDR(s) valid CIDRs, one per family, immutable once set; taints well formed. */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { ipFamily, isQualifiedName, isValidCIDR, isValidLabelValue, nameIsDNSSubdomain } from './formats.js';
import {
  arr,
  duplicate,
  forbidden,
  goStringSlice,
  invalid,
  invalidEach,
  notSupported,
  obj,
  required,
  str,
  withGoValue,
} from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateTaints(o: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  // Kubernetes reports taint errors under metadata.taints (its fldPath is "metadata").
  arr(obj(o.spec).taints)
    .map(obj)
    .forEach((t, i) => {
      const at = `metadata.taints[${i}]`;
      const key = str(t.key),
        effect = str(t.effect),
        value = str(t.value);
      errs.push(...invalidEach(`${at}.key`, key, isQualifiedName(key)));
      const vm = isValidLabelValue(value);
      if (vm.length) errs.push(invalid(`${at}.value`, value, vm.join(';')));
      if (!effect) errs.push(required(`${at}.effect`));
      else if (!effects.includes(effect)) errs.push(notSupported(`${at}.effect`, effect, effects));
      const keys = seen.get(effect) ?? new Set<string>();
      if (keys.has(key)) {
        errs.push(
          withGoValue(
            'FieldValueDuplicate',
            at,
            `core.Taint{Key:${JSON.stringify(key)}, Value:${JSON.stringify(value)}, Effect:${JSON.stringify(effect)}, TimeAdded:<nil>}`,
            'taints must be unique by key and effect pair',
          ),
        );
        return;
      }
      keys.add(key);
      seen.set(effect, keys);
    });
  return errs;
}

function validatePodCIDRs(cidrs: string[]): FieldError[] {
  const errs: FieldError[] = [];
  cidrs.forEach((c, i) => errs.push(...invalidEach(`spec.podCIDRs[${i}]`, c, isValidCIDR(c))));
  if (cidrs.length > 1) {
    const fams = cidrs.map((c) => ipFamily(c.split('/')[0]!));
    if (cidrs.length > 2 || fams[0] === fams[1])
      errs.push(
        withGoValue(
          'FieldValueInvalid',
          'spec.podCIDRs',
          goStringSlice(cidrs),
          'may specify no more than one CIDR for each IP family',
        ),
      );
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(`spec.podCIDRs[${i}]`, c));
      seen.add(c);
    });
  }
  return errs;
}

export const validateNode = (o: KObject): FieldError[] => [
  ...validateObjectMeta(o, false, nameIsDNSSubdomain),
  ...validateTaints(o),
  ...validatePodCIDRs(arr(obj(o.spec).podCIDRs).map(str)),
];

export function validateNodeUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(o, old)];
  const s = obj(o.spec),
    os = obj(old.spec);
  const addrs = new Set<string>();
  arr(obj(o.status).addresses)
    .map(obj)
    .forEach((a, i) => {
      const key = `${str(a.type)}/${str(a.address)}`;
      if (addrs.has(key))
        errs.push(
          withGoValue(
            'FieldValueDuplicate',
            `status.addresses[${i}]`,
            `core.NodeAddress{Type:${JSON.stringify(str(a.type))}, Address:${JSON.stringify(str(a.address))}}`,
          ),
        );
      addrs.add(key);
    });
  const cidrs = arr(s.podCIDRs).map(str),
    oldCidrs = arr(os.podCIDRs).map(str);
  const msg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCidrs.length) {
    if (oldCidrs.length !== cidrs.length) errs.push(forbidden('spec.podCIDRs', msg));
    else
      oldCidrs.forEach((c, i) => {
        if (c !== cidrs[i]) errs.push(forbidden('spec.podCIDRs', msg));
      });
  }
  if (str(os.providerID) && os.providerID !== s.providerID)
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  errs.push(...validateTaints(o));
  if (str(s.externalID) !== str(os.externalID)) errs.push(forbidden('spec.externalID', 'may not be updated'));
  return errs;
}
