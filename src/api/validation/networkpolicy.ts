/** NetworkPolicy rules (basic): selectors, ports, ipBlocks, policyTypes. */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { ipFamily, isValidCIDR, isValidPortName, isValidPortNum, nameIsDNSSubdomain } from './formats.js';
import { arr, invalid, invalidEach, notSupported, num, obj, required, str, type Obj } from './field.js';
import { validateLabelSelector } from './label-selector.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { protocols } from './service.js';

function validatePorts(ports: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    if (p.protocol !== undefined && p.protocol !== null && !protocols.includes(str(p.protocol)))
      errs.push(notSupported(`${at}.protocol`, p.protocol, protocols));
    if (typeof p.port === 'number') errs.push(...invalidEach(`${at}.port`, p.port, isValidPortNum(p.port)));
    else if (typeof p.port === 'string') errs.push(...invalidEach(`${at}.port`, p.port, isValidPortName(p.port)));
    const end = num(p.endPort);
    if (end !== undefined) {
      if (typeof p.port === 'string') errs.push(required(`${at}.port`, 'may not be specified when `endPort` is set'));
      else if (p.port === undefined) errs.push(required(`${at}.port`, 'must be specified when `endPort` is set'));
      else if (typeof p.port === 'number' && end < p.port)
        errs.push(invalid(`${at}.endPort`, end, 'must be greater than or equal to `port`'));
      errs.push(...invalidEach(`${at}.endPort`, end, isValidPortNum(end)));
    }
  });
  return errs;
}

function validatePeers(peers: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  peers.forEach((peer, i) => {
    const at = `${path}[${i}]`;
    const set = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(
      (k) => peer[k] !== undefined && peer[k] !== null,
    );
    if (set.length === 0) errs.push(required(at, 'must specify a peer'));
    else if (peer.ipBlock !== undefined && peer.ipBlock !== null && set.length > 1)
      errs.push(invalid(at, '', 'may not specify more than 1 peer type'));
    errs.push(...validateLabelSelector(peer.podSelector, `${at}.podSelector`));
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${at}.namespaceSelector`));
    if (peer.ipBlock !== undefined && peer.ipBlock !== null) {
      const b = obj(peer.ipBlock),
        cidr = str(b.cidr);
      if (!cidr) {
        errs.push(required(`${at}.ipBlock.cidr`));
        return;
      }
      errs.push(...invalidEach(`${at}.ipBlock.cidr`, cidr, isValidCIDR(cidr)));
      arr(b.except)
        .map(str)
        .forEach((e, j) => {
          errs.push(...invalidEach(`${at}.ipBlock.except[${j}]`, e, isValidCIDR(e)));
          if (ipFamily(e.split('/')[0]!) && ipFamily(e.split('/')[0]!) !== ipFamily(cidr.split('/')[0]!))
            errs.push(invalid(`${at}.ipBlock.except[${j}]`, e, 'must be a strict subset of `cidr`'));
        });
    }
  });
  return errs;
}

export function validateNetworkPolicy(o: KObject): FieldError[] {
  const errs = validateObjectMeta(o, true, nameIsDNSSubdomain);
  const s = obj(o.spec);
  errs.push(...validateLabelSelector(s.podSelector, 'spec.podSelector'));
  arr(s.ingress)
    .map(obj)
    .forEach((r, i) => {
      errs.push(...validatePorts(arr(r.ports).map(obj), `spec.ingress[${i}].ports`));
      errs.push(...validatePeers(arr(r.from).map(obj), `spec.ingress[${i}].from`));
    });
  arr(s.egress)
    .map(obj)
    .forEach((r, i) => {
      errs.push(...validatePorts(arr(r.ports).map(obj), `spec.egress[${i}].ports`));
      errs.push(...validatePeers(arr(r.to).map(obj), `spec.egress[${i}].to`));
    });
  const types = arr(s.policyTypes).map(str);
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  if (types.length > 2)
    errs.push(invalid('spec.policyTypes', s.policyTypes, 'may not specify more than two policyTypes'));
  return errs;
}

export const validateNetworkPolicyUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateNetworkPolicy(o),
];
