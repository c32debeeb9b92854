/** Service rules (core validation.go ValidateService / ValidateServiceUpdate). */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import {
  ipFamily,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  nonSpecialIPErrors,
} from './formats.js';
import {
  arr,
  duplicate,
  forbidden,
  goStringSlice,
  invalid,
  invalidEach,
  notSupported,
  num,
  obj,
  required,
  str,
  withGoValue,
  type Obj,
} from './field.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

export const protocols = ['SCTP', 'TCP', 'UDP'];
const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const maxClientIPAffinitySeconds = 86400;

const spec = (o: KObject) => obj(o.spec);
const clusterIPs = (s: Obj): string[] => arr(s.clusterIPs).map(str);
const isHeadless = (s: Obj) => {
  const ips = clusterIPs(s);
  return ips.length === 1 && ips[0] === 'None';
};
const externallyAccessible = (s: Obj) =>
  s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && arr(s.externalIPs).length > 0);

/** targetPort / probe ports: a number in range or an IANA_SVC_NAME. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return invalidEach(path, port, isValidPortNum(port));
  if (typeof port === 'string') return invalidEach(path, port, isValidPortName(port));
  return [];
}

/** Go's %#v of the core.ServicePort key Kubernetes uses in its duplicate-port message. */
const goServicePortKey = (protocol: string, port: number) =>
  `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;

function validateServicePort(p: Obj, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(p.name);
  if (requireName && !name) errs.push(required(`${path}.name`));
  else if (name) {
    errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${path}.name`, name));
    else names.add(name);
  }
  errs.push(...invalidEach(`${path}.port`, num(p.port) ?? 0, isValidPortNum(num(p.port) ?? 0)));
  const protocol = str(p.protocol);
  if (!protocol) errs.push(required(`${path}.protocol`));
  else if (!protocols.includes(protocol)) errs.push(notSupported(`${path}.protocol`, protocol, protocols));
  errs.push(...validatePortNumOrName(p.targetPort, `${path}.targetPort`));
  if (typeof p.appProtocol === 'string')
    errs.push(...invalidEach(`${path}.appProtocol`, p.appProtocol, isQualifiedName(p.appProtocol)));
  return errs;
}

function validateClusterIPs(s: Obj): FieldError[] {
  if (s.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = clusterIPs(s);
  const clusterIP = str(s.clusterIP);
  if (clusterIP) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== clusterIP)
      errs.push(
        withGoValue('FieldValueInvalid', 'spec.clusterIPs', goStringSlice(ips), 'first value must match `clusterIP`'),
      );
  } else if (ips.length) {
    errs.push(
      withGoValue(
        'FieldValueInvalid',
        'spec.clusterIPs',
        goStringSlice(ips),
        'must be empty when `clusterIP` is not specified',
      ),
    );
  }
  const families = arr(s.ipFamilies).map(str);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (
    s.ipFamilyPolicy !== undefined &&
    s.ipFamilyPolicy !== null &&
    !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(str(s.ipFamilyPolicy))
  ) {
    errs.push(
      notSupported('spec.ipFamilyPolicy', s.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']),
    );
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(
          withGoValue(
            'FieldValueInvalid',
            'spec.clusterIPs',
            goStringSlice(ips),
            "'None' must be the first and only value",
          ),
        );
      }
      return;
    }
    const e = invalidEach(`spec.clusterIPs[${i}]`, ip, isValidIP(ip));
    if (e.length) badIPs = true;
    errs.push(...e);
  });
  if (ips.length > 2)
    errs.push(withGoValue('FieldValueInvalid', 'spec.clusterIPs', goStringSlice(ips), 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && ipFamily(ips[0]!) === ipFamily(ips[1]!)) {
    errs.push(
      withGoValue(
        'FieldValueInvalid',
        'spec.clusterIPs',
        goStringSlice(ips),
        'may specify no more than one IP for each IP family',
      ),
    );
  }
  if (!isHeadless(s)) {
    ips.forEach((ip, i) => {
      if (i >= families.length) return;
      if (families[i] === 'IPv4' && ipFamily(ip) === 6)
        errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && ipFamily(ip) !== 6)
        errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

/** The checks of ValidateService, in Kubernetes' order. */
export function validateService(o: KObject): FieldError[] {
  const s = spec(o);
  const errs = validateObjectMeta(o, true, nameIsDNS1035Label);
  const ports = arr(s.ports).map(obj);
  const type = str(s.type);
  if (ports.length === 0 && !isHeadless(s) && type !== 'ExternalName') errs.push(required('spec.ports'));
  if (type === 'LoadBalancer' && isHeadless(s))
    errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
  if (type === 'NodePort' && isHeadless(s))
    errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
  if (type === 'ExternalName') {
    if (clusterIPs(s).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arr(s.ipFamilies).length > 0)
      errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (s.ipFamilyPolicy !== undefined && s.ipFamilyPolicy !== null)
      errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(s.externalName).replace(/\.$/, '');
    if (cname) errs.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (s.selector !== undefined && s.selector !== null)
    errs.push(...validateLabels(obj(s.selector) as Record<string, string>, 'spec.selector'));

  const affinity = str(s.sessionAffinity);
  if (!affinity) errs.push(required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None')
    errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'ClientIP') {
    const cfg = s.sessionAffinityConfig,
      when = 'when session affinity type is ClientIP';
    const clientIP = obj(cfg).clientIP;
    if (cfg === undefined || cfg === null) errs.push(required('spec.sessionAffinityConfig', when));
    else if (clientIP === undefined || clientIP === null)
      errs.push(required('spec.sessionAffinityConfig.clientIP', when));
    else {
      const t = num(obj(clientIP).timeoutSeconds);
      if (t === undefined) errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', when));
      else if (t <= 0 || t > maxClientIPAffinitySeconds)
        errs.push(
          invalid(
            'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
            t,
            `must be greater than 0 and less than ${maxClientIPAffinitySeconds}`,
          ),
        );
    }
  } else if (affinity === 'None' && s.sessionAffinityConfig !== undefined && s.sessionAffinityConfig !== null) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }

  errs.push(...validateClusterIPs(s));
  arr(s.externalIPs)
    .map(str)
    .forEach((ip, i) => {
      const e = invalidEach(`spec.externalIPs[${i}]`, ip, isValidIP(ip));
      errs.push(...(e.length ? e : invalidEach(`spec.externalIPs[${i}]`, ip, nonSpecialIPErrors(ip))));
    });

  if (!type) errs.push(required('spec.type'));
  else if (!types.includes(type)) errs.push(notSupported('spec.type', type, types));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (num(p.nodePort))
        errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>(),
    portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const np = num(p.nodePort);
    if (np) {
      const key = `${str(p.protocol)}/${np}`;
      if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, np));
      nodePorts.add(key);
    }
  });
  ports.forEach((p, i) => {
    const key = `${str(p.protocol)}/${num(p.port) ?? 0}`;
    if (portKeys.has(key))
      errs.push(
        withGoValue('FieldValueDuplicate', `spec.ports[${i}]`, goServicePortKey(str(p.protocol), num(p.port) ?? 0)),
      );
    portKeys.add(key);
  });

  const ranges = arr(s.loadBalancerSourceRanges).map(str);
  if (ranges.length) {
    if (type !== 'LoadBalancer')
      errs.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) =>
      errs.push(...invalidEach(`spec.LoadBalancerSourceRanges[${i}]`, r.trim(), isValidCIDR(r.trim()))),
    );
  }
  if (
    s.allocateLoadBalancerNodePorts !== undefined &&
    s.allocateLoadBalancerNodePorts !== null &&
    type !== 'LoadBalancer'
  ) {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (
    type === 'LoadBalancer' &&
    (s.allocateLoadBalancerNodePorts === undefined || s.allocateLoadBalancerNodePorts === null)
  )
    errs.push(required('allocateLoadBalancerNodePorts'));
  if (typeof s.loadBalancerClass === 'string') {
    if (type === 'LoadBalancer')
      errs.push(...invalidEach('spec.loadBalancerClass', s.loadBalancerClass, isQualifiedName(s.loadBalancerClass)));
    else errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }

  const etp = str(s.externalTrafficPolicy);
  if (!externallyAccessible(s)) {
    if (etp)
      errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(required('spec.externalTrafficPolicy'));
  else if (etp !== 'Cluster' && etp !== 'Local')
    errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const needsHealthCheck = type === 'LoadBalancer' && etp === 'Local';
  const hc = num(s.healthCheckNodePort) ?? 0;
  if (!needsHealthCheck && hc)
    errs.push(
      invalid(
        'spec.healthCheckNodePort',
        hc,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      ),
    );

  const itp = s.internalTrafficPolicy;
  if ((itp === undefined || itp === null) && (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP'))
    errs.push(required('spec.internalTrafficPolicy'));
  if (typeof itp === 'string' && itp !== 'Cluster' && itp !== 'Local')
    errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  if (typeof s.trafficDistribution === 'string' && s.trafficDistribution !== 'PreferClose')
    errs.push(notSupported('spec.trafficDistribution', s.trafficDistribution, ['PreferClose']));
  return errs;
}

/** ValidateServiceUpdate: clusterIPs and ipFamilies may not change once set (except to/from ExternalName). */
export function validateServiceUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(o, old);
  const s = spec(o),
    os = spec(old);
  if (s.type !== 'ExternalName' && os.type !== 'ExternalName' && !(isHeadless(s) && isHeadless(os))) {
    const ips = clusterIPs(s),
      oldIPs = clusterIPs(os);
    const shown = goStringSlice(ips.length ? ips : undefined);
    if (ips.length === oldIPs.length) {
      oldIPs.forEach((ip, i) => {
        if (ip !== ips[i])
          errs.push(withGoValue('FieldValueInvalid', `spec.clusterIPs[${i}]`, shown, 'may not change once set'));
      });
    } else if (oldIPs.length > ips.length) {
      if (ips.length === 0)
        errs.push(withGoValue('FieldValueInvalid', 'spec.clusterIPs[0]', shown, 'primary clusterIP can not be unset'));
      if (oldIPs.length && ips.length && ips[0] !== oldIPs[0])
        errs.push(withGoValue('FieldValueInvalid', 'spec.clusterIPs[0]', shown, 'may not change once set'));
      if (ips.length === 1 && s.ipFamilyPolicy !== 'SingleStack')
        errs.push(
          invalid(
            'spec.ipFamilyPolicy',
            s.ipFamilyPolicy ?? null,
            "must be set to 'SingleStack' when releasing the secondary clusterIP",
          ),
        );
    } else if (oldIPs.length && ips[0] !== oldIPs[0]) {
      errs.push(withGoValue('FieldValueInvalid', 'spec.clusterIPs[0]', shown, 'may not change once set'));
    }
  }
  if (
    os.type === 'LoadBalancer' &&
    s.type === 'LoadBalancer' &&
    (os.loadBalancerClass ?? null) !== (s.loadBalancerClass ?? null)
  ) {
    errs.push(invalid('spec.loadBalancerClass', s.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (
    os.type === 'LoadBalancer' &&
    s.type === 'LoadBalancer' &&
    os.externalTrafficPolicy === 'Local' &&
    s.externalTrafficPolicy === 'Local' &&
    s.healthCheckNodePort !== os.healthCheckNodePort
  ) {
    errs.push(forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  return [...errs, ...validateService(o)];
}
