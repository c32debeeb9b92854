/** Ingress and IngressClass rules (networking validation.go). */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import {
  ipFamily,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNS1035Label,
  nameIsDNSSubdomain,
} from './formats.js';
import {
  arr,
  deepEqual,
  invalid,
  invalidEach,
  notSupported,
  num,
  obj,
  required,
  str,
  tooLong,
  withGoValue,
  type Obj,
} from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidSuffixes = ['/..', '/.'];

function validateBackend(b: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const hasResource = b.resource !== undefined && b.resource !== null,
    hasService = b.service !== undefined && b.service !== null;
  if (hasResource && hasService) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = obj(b.resource);
    if (!str(r.kind)) errs.push(required(`${path}.resource.kind`, 'kind is required'));
    if (!str(r.name)) errs.push(required(`${path}.resource.name`, 'name is required'));
    return errs;
  }
  if (!hasService) return [invalid(path, '', 'resource or service backend is required')];
  const svc = obj(b.service),
    port = obj(svc.port);
  const name = str(svc.name);
  if (!name) errs.push(required(`${path}.service.name`));
  else errs.push(...invalidEach(`${path}.service.name`, name, nameIsDNS1035Label(name, false)));
  const portName = str(port.name),
    portNumber = num(port.number) ?? 0;
  if (portName && portNumber) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...invalidEach(`${path}.service.port.name`, portName, isValidPortName(portName)));
  else if (portNumber) errs.push(...invalidEach(`${path}.service.port.number`, portNumber, isValidPortNum(portNumber)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validatePath(p: Obj, path: string): FieldError[] {
  if (p.pathType === undefined || p.pathType === null)
    return [required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = str(p.path),
    type = str(p.pathType);
  if (type === 'Exact' || type === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'));
    if (value) {
      for (const seq of invalidSequences)
        if (value.includes(seq)) errs.push(invalid(`${path}.path`, value, `must not contain '${seq}'`));
      for (const suf of invalidSuffixes)
        if (value.endsWith(suf)) errs.push(invalid(`${path}.path`, value, `cannot end with '${suf}'`));
    }
  } else if (type === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'));
  } else errs.push(notSupported(`${path}.pathType`, type, pathTypes));
  errs.push(...validateBackend(obj(p.backend), `${path}.backend`));
  return errs;
}

export function validateIngress(o: KObject): FieldError[] {
  const errs = validateObjectMeta(o, true, nameIsDNSSubdomain);
  const s = obj(o.spec);
  const rules = arr(s.rules).map(obj);
  const hasDefault = s.defaultBackend !== undefined && s.defaultBackend !== null;
  if (!rules.length && !hasDefault)
    errs.push(
      withGoValue(
        'FieldValueInvalid',
        'spec',
        '[]networking.IngressRule(nil)',
        'either `defaultBackend` or `rules` must be specified',
      ),
    );
  if (hasDefault) errs.push(...validateBackend(obj(s.defaultBackend), 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const at = `spec.rules[${i}]`;
    const host = str(r.host);
    if (host) {
      if (ipFamily(host)) errs.push(invalid(`${at}.host`, host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) errs.push(...invalidEach(`${at}.host`, host, isWildcardDNS1123Subdomain(host)));
      else errs.push(...invalidEach(`${at}.host`, host, isDNS1123Subdomain(host)));
    }
    if (r.http !== undefined && r.http !== null) {
      const paths = arr(obj(r.http).paths).map(obj);
      if (!paths.length) errs.push(required(`${at}.http.paths`));
      paths.forEach((p, j) => errs.push(...validatePath(p, `${at}.http.paths[${j}]`)));
    }
  });
  arr(s.tls)
    .map(obj)
    .forEach((t, i) => {
      arr(t.hosts)
        .map(str)
        .forEach((h, j) => {
          const at = `spec.tls[${i}].hosts[${j}]`;
          errs.push(...invalidEach(at, h, h.includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h)));
        });
      if (str(t.secretName))
        errs.push(
          ...invalidEach(`spec.tls[${i}].secretName`, str(t.secretName), nameIsDNSSubdomain(str(t.secretName), false)),
        );
    });
  if (typeof s.ingressClassName === 'string')
    errs.push(
      ...invalidEach('spec.ingressClassName', s.ingressClassName, nameIsDNSSubdomain(s.ingressClassName, false)),
    );
  return errs;
}

export const validateIngressUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateIngress(o),
];

export function validateIngressStatusUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(o, old);
  arr(obj(obj(o.status).loadBalancer).ingress)
    .map(obj)
    .forEach((ing, i) => {
      const at = `status.loadBalancer.ingress[${i}]`;
      if (str(ing.ip) && !ipFamily(str(ing.ip)))
        errs.push(invalid(`${at}.ip`, str(ing.ip), 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
      if (str(ing.hostname)) {
        errs.push(...invalidEach(`${at}.hostname`, str(ing.hostname), isDNS1123Subdomain(str(ing.hostname))));
        if (ipFamily(str(ing.hostname)))
          errs.push(invalid(`${at}.hostname`, str(ing.hostname), 'must be a DNS name, not an IP address'));
      }
    });
  return errs;
}

/** IsDomainPrefixedPath, as spec.controller must be ("example.com/ingress-controller"). */
function domainPrefixedPath(path: string, v: string): FieldError[] {
  if (!v) return [required(path)];
  const slash = v.indexOf('/');
  if (slash <= 0 || slash === v.length - 1)
    return [invalid(path, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = v.slice(0, slash),
    rest = v.slice(slash + 1);
  const errs = invalidEach(path, host, isDNS1123Subdomain(host));
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(rest))
    errs.push(invalid(path, rest, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
  return errs;
}

export function validateIngressClass(o: KObject): FieldError[] {
  const errs = validateObjectMeta(o, false, nameIsDNSSubdomain);
  const controller = str(obj(o.spec).controller);
  if (controller.length > 250) errs.push(tooLong('spec.controller', 250));
  errs.push(...domainPrefixedPath('spec.controller', controller));
  return errs;
}

export function validateIngressClassUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(o, old);
  const c = str(obj(o.spec).controller);
  if (!deepEqual(c, str(obj(old.spec).controller))) errs.push(invalid('spec.controller', c, 'field is immutable'));
  return [...errs, ...validateIngressClass(o)];
}
