/** Endpoints rules: each subset has addresses, valid non-special IPs, named ports when several. */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import {
  isDNS1123Label,
  isQualifiedName,
  isValidIP,
  isValidPortNum,
  nameIsDNSSubdomain,
  nonSpecialIPErrors,
} from './formats.js';
import { arr, invalidEach, notSupported, num, obj, required, str, type Obj } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { protocols } from './service.js';

function validateAddress(a: Obj, path: string): FieldError[] {
  const ip = str(a.ip);
  const errs = invalidEach(`${path}.ip`, ip, isValidIP(ip));
  if (str(a.hostname)) errs.push(...invalidEach(`${path}.hostname`, str(a.hostname), isDNS1123Label(str(a.hostname))));
  if (typeof a.nodeName === 'string')
    errs.push(...invalidEach(`${path}.nodeName`, a.nodeName, nameIsDNSSubdomain(a.nodeName, false)));
  errs.push(...invalidEach(`${path}.ip`, ip, nonSpecialIPErrors(ip)));
  return errs;
}

export function validateEndpoints(o: KObject): FieldError[] {
  const errs = validateObjectMeta(o, true, nameIsDNSSubdomain);
  arr(o.subsets)
    .map(obj)
    .forEach((ss, i) => {
      const at = `subsets[${i}]`;
      const addrs = arr(ss.addresses).map(obj),
        notReady = arr(ss.notReadyAddresses).map(obj),
        ports = arr(ss.ports).map(obj);
      if (!addrs.length && !notReady.length) errs.push(required(at, 'must specify `addresses` or `notReadyAddresses`'));
      addrs.forEach((a, j) => errs.push(...validateAddress(a, `${at}.addresses[${j}]`)));
      notReady.forEach((a, j) => errs.push(...validateAddress(a, `${at}.notReadyAddresses[${j}]`)));
      ports.forEach((p, j) => {
        const pp = `${at}.ports[${j}]`;
        const name = str(p.name);
        if (ports.length > 1 && !name) errs.push(required(`${pp}.name`));
        else if (name) errs.push(...invalidEach(`${pp}.name`, name, isDNS1123Label(name)));
        errs.push(...invalidEach(`${pp}.port`, num(p.port) ?? 0, isValidPortNum(num(p.port) ?? 0)));
        const proto = str(p.protocol);
        if (!proto) errs.push(required(`${pp}.protocol`));
        else if (!protocols.includes(proto)) errs.push(notSupported(`${pp}.protocol`, proto, protocols));
        if (typeof p.appProtocol === 'string')
          errs.push(...invalidEach(`${pp}.appProtocol`, p.appProtocol, isQualifiedName(p.appProtocol)));
      });
    });
  return errs;
}

export const validateEndpointsUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateEndpoints(o),
];
