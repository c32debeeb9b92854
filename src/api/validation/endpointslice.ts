/** EndpointSlice rules (discovery validation.go): address type, per-type addresses, limits, ports. */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidIPv4,
  isValidIPv6,
  nameIsDNSSubdomain,
  nonSpecialIPErrors,
} from './formats.js';
import { arr, duplicate, invalid, invalidEach, notSupported, obj, required, str, tooMany } from './field.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const portProtocols = ['SCTP', 'TCP', 'UDP'];
const maxEndpoints = 1000,
  maxAddresses = 100,
  maxPorts = 100,
  maxTopologyLabels = 16;

/** IsFullyQualifiedDomainName: a DNS subdomain with at least two labels, trailing dot allowed. */
function fqdnErrors(path: string, name: string): FieldError[] {
  if (!name) return [required(path)];
  const n = name.replace(/\.$/, '');
  const sub = isDNS1123Subdomain(n);
  if (sub.length) return [invalid(path, n, sub.join(','))];
  if (n.split('.').length < 2)
    return [invalid(path, n, 'should be a domain with at least two segments separated by dots')];
  for (const label of n.split('.')) {
    const e = isDNS1123Label(label);
    if (e.length) return [invalid(path, label, e.join(','))];
  }
  return [];
}

export function validateEndpointSlice(o: KObject, allowedTypes = addressTypes): FieldError[] {
  const errs = validateObjectMeta(o, true, nameIsDNSSubdomain);
  const type = str(o.addressType);
  if (!type) errs.push(required('addressType'));
  else if (!allowedTypes.includes(type)) errs.push(notSupported('addressType', type, allowedTypes));

  const endpoints = arr(o.endpoints).map(obj);
  if (endpoints.length > maxEndpoints) errs.push(tooMany('endpoints', endpoints.length, maxEndpoints));
  else
    endpoints.forEach((ep, i) => {
      const ap = `endpoints[${i}].addresses`;
      const addrs = arr(ep.addresses).map(str);
      if (!addrs.length) errs.push(required(ap, 'must contain at least 1 address'));
      else if (addrs.length > maxAddresses) errs.push(tooMany(ap, addrs.length, maxAddresses));
      addrs.forEach((a, j) => {
        const at = `${ap}[${j}]`;
        if (type === 'IPv4')
          errs.push(...invalidEach(at, a, isValidIPv4(a)), ...invalidEach(at, a, nonSpecialIPErrors(a)));
        else if (type === 'IPv6')
          errs.push(...invalidEach(at, a, isValidIPv6(a)), ...invalidEach(at, a, nonSpecialIPErrors(a)));
        else if (type === 'FQDN') errs.push(...fqdnErrors(at, a));
      });
      const topo = obj(ep.deprecatedTopology) as Record<string, string>;
      if (Object.keys(topo).length > maxTopologyLabels)
        errs.push(tooMany(`endpoints[${i}].topology`, Object.keys(topo).length, maxTopologyLabels));
      errs.push(...validateLabels(topo, `endpoints[${i}].topology`));
      if (typeof ep.hostname === 'string')
        errs.push(...invalidEach(`endpoints[${i}].hostname`, ep.hostname, isDNS1123Label(ep.hostname)));
    });

  const ports = arr(o.ports).map(obj);
  if (ports.length > maxPorts) errs.push(tooMany('ports', ports.length, maxPorts));
  else {
    const names = new Set<string>();
    ports.forEach((p, i) => {
      const name = str(p.name);
      if (name) errs.push(...invalidEach(`ports[${i}].name`, name, isDNS1123Label(name)));
      if (names.has(name)) errs.push(duplicate(`ports[${i}].name`, name));
      else names.add(name);
      if (p.protocol === undefined || p.protocol === null) errs.push(required(`ports[${i}].protocol`));
      else if (!portProtocols.includes(str(p.protocol)))
        errs.push(notSupported(`ports[${i}].protocol`, p.protocol, portProtocols));
      if (typeof p.appProtocol === 'string')
        errs.push(...invalidEach(`ports[${i}].appProtocol`, p.appProtocol, isQualifiedName(p.appProtocol)));
    });
  }
  return errs;
}

export function validateEndpointSliceUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = validateEndpointSlice(o, [...addressTypes, 'IP']);
  if (str(o.addressType) !== str(old.addressType))
    errs.push(invalid('addressType', str(o.addressType), 'field is immutable'));
  return [...validateObjectMetaUpdate(o, old), ...errs];
}
