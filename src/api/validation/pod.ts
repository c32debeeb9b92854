/** Pod rules (core validation.go ValidatePodCreate / ValidatePodUpdate / ValidatePodStatusUpdate). */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import {
  inclusiveRangeError,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './formats.js';
import {
  arr,
  deepEqual,
  duplicate,
  forbidden,
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
import { protocols, validatePortNumOrName } from './service.js';
import { podSpecDiff } from './pod-diff.js';
import { validatePodAffinities, validateTopologySpreadConstraints } from './pod-scheduling.js';

const maxInt32 = 2147483647;
const isSet = (v: unknown) => v !== undefined && v !== null;

function validateContainerPorts(ports: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    const name = str(p.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...invalidEach(`${at}.name`, name, msgs));
      else if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
      else names.add(name);
    }
    const cp = num(p.containerPort) ?? 0;
    if (cp === 0) errs.push(required(`${at}.containerPort`));
    else errs.push(...invalidEach(`${at}.containerPort`, cp, isValidPortNum(cp)));
    const hp = num(p.hostPort) ?? 0;
    if (hp !== 0) errs.push(...invalidEach(`${at}.hostPort`, hp, isValidPortNum(hp)));
    const protocol = str(p.protocol);
    if (!protocol) errs.push(required(`${at}.protocol`));
    else if (!protocols.includes(protocol)) errs.push(notSupported(`${at}.protocol`, protocol, protocols));
  });
  return errs;
}

function validateEnv(env: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((ev, i) => {
    const at = `${path}[${i}]`;
    const name = str(ev.name);
    if (!name) errs.push(required(`${at}.name`));
    else errs.push(...invalidEach(`${at}.name`, name, isRelaxedEnvVarName(name)));
    const from = ev.valueFrom;
    if (isSet(from)) {
      const f = obj(from);
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => isSet(f[k]));
      if (typeof ev.value === 'string' && ev.value !== '' && sources.length)
        errs.push(invalid(`${at}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      if (sources.length === 0)
        errs.push(
          invalid(
            `${at}.valueFrom`,
            '',
            'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
          ),
        );
      else if (sources.length > 1)
        errs.push(invalid(`${at}.valueFrom`, '', 'may not have more than one field specified at a time'));
      for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
        if (!isSet(f[ref])) continue;
        const r = obj(f[ref]);
        errs.push(...invalidEach(`${at}.valueFrom.${ref}.name`, str(r.name), nameIsDNSSubdomain(str(r.name), false)));
        if (!str(r.key)) errs.push(required(`${at}.valueFrom.${ref}.key`));
        else errs.push(...invalidEach(`${at}.valueFrom.${ref}.key`, str(r.key), isConfigMapKey(str(r.key))));
      }
    }
  });
  return errs;
}

function validateHandler(h: Obj, path: string, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    if (!isSet(h[kind])) continue;
    if (count > 0) {
      errs.push(forbidden(`${path}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const a = obj(h[kind]);
    if (kind === 'exec' && arr(a.command).length === 0) errs.push(required(`${path}.exec.command`));
    if (kind === 'httpGet') {
      if (!str(a.path)) errs.push(required(`${path}.httpGet.path`));
      errs.push(...validatePortNumOrName(a.port, `${path}.httpGet.port`));
      if (!['HTTP', 'HTTPS'].includes(str(a.scheme)))
        errs.push(notSupported(`${path}.httpGet.scheme`, str(a.scheme), ['HTTP', 'HTTPS']));
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(a.port, `${path}.tcpSocket.port`));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(num(a.port) ?? 0, `${path}.grpc.port`));
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: unknown, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!isSet(probe)) return [];
  const p = obj(probe);
  const errs = validateHandler(p, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = num(p[f]) ?? 0;
    if (v < 0) errs.push(invalid(`${path}.${f}`, v, 'must be greater than or equal to 0'));
  }
  const tgps = num(p.terminationGracePeriodSeconds);
  if (tgps !== undefined && tgps <= 0)
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  if (kind !== 'readiness' && (num(p.successThreshold) ?? 0) !== 1)
    errs.push(invalid(`${path}.successThreshold`, num(p.successThreshold) ?? 0, 'must be 1'));
  if (kind === 'readiness' && tgps !== undefined)
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, tgps, 'must not be set for readinessProbes'));
  return errs;
}

function validateContainerCommon(c: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(`${path}.name`));
  else errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
  if (!str(c.image)) errs.push(required(`${path}.image`));
  const tmp = str(c.terminationMessagePolicy);
  if (!tmp) errs.push(required(`${path}.terminationMessagePolicy`));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError')
    errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validateContainerPorts(arr(c.ports).map(obj), `${path}.ports`));
  errs.push(...validateEnv(arr(c.env).map(obj), `${path}.env`));
  const pull = str(c.imagePullPolicy);
  if (!pull) errs.push(required(`${path}.imagePullPolicy`));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull))
    errs.push(notSupported(`${path}.imagePullPolicy`, pull, ['Always', 'IfNotPresent', 'Never']));
  return errs;
}

function hostPortConflicts(containers: Obj[], path: string, seen: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) =>
    arr(c.ports)
      .map(obj)
      .forEach((p, pi) => {
        const hp = num(p.hostPort) ?? 0;
        if (!hp) return;
        const key = `${str(p.protocol)}/${str(p.hostIP)}/${hp}`;
        if (seen.has(key)) errs.push(duplicate(`${path}[${ci}].ports[${pi}].hostPort`, key));
        else seen.add(key);
      }),
  );
  return errs;
}

function validateTolerations(tols: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  tols.forEach((t, i) => {
    const at = `${path}[${i}]`;
    const key = str(t.key),
      op = str(t.operator),
      value = str(t.value),
      effect = str(t.effect);
    if (key) errs.push(...invalidEach(`${at}.key`, key, isQualifiedName(key)));
    if (!key && op !== 'Exists')
      errs.push(
        invalid(
          `${at}.operator`,
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    if (isSet(t.tolerationSeconds) && effect !== 'NoExecute')
      errs.push(invalid(`${at}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op === 'Equal' || op === '') {
      const m = isValidLabelValue(value);
      if (m.length) errs.push(invalid(`${at}.operator`, value, m.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(invalid(`${at}.operator`, value, "value must be empty when `operator` is 'Exists'"));
    } else errs.push(notSupported(`${at}.operator`, op, ['Equal', 'Exists']));
    if (effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect))
      errs.push(notSupported(`${at}.effect`, effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
  });
  return errs;
}

function validateDNSConfig(s: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const policy = str(s.dnsPolicy);
  const cfg = s.dnsConfig;
  if (policy === 'None') {
    if (!isSet(cfg)) return [required('spec.dnsConfig', 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(obj(cfg).nameservers).length === 0)
      return [
        required('spec.dnsConfig.nameservers', 'must provide at least one DNS nameserver when `dnsPolicy` is None'),
      ];
  }
  if (!isSet(cfg)) return errs;
  const c = obj(cfg);
  const ns = arr(c.nameservers).map(str),
    searches = arr(c.searches).map(str);
  const goSlice = (xs: string[]) => `[]string{${xs.map((x) => JSON.stringify(x)).join(', ')}}`;
  if (ns.length > 3)
    errs.push(
      withGoValue(
        'FieldValueInvalid',
        'spec.dnsConfig.nameservers',
        goSlice(ns),
        'must not have more than 3 nameservers',
      ),
    );
  ns.forEach((n, i) => errs.push(...invalidEach(`spec.dnsConfig.nameservers[${i}]`, n, isValidIP(n))));
  if (searches.length > 32)
    errs.push(
      withGoValue(
        'FieldValueInvalid',
        'spec.dnsConfig.searches',
        goSlice(searches),
        'must not have more than 32 search paths',
      ),
    );
  if (searches.join(' ').length > 2048)
    errs.push(
      withGoValue(
        'FieldValueInvalid',
        'spec.dnsConfig.searches',
        goSlice(searches),
        'must not have more than 2048 characters (including spaces) in the search list',
      ),
    );
  // RelaxedDNSSearchValidation is off by default in 1.32: plain DNS subdomains.
  searches.forEach((sr, i) => {
    const v = sr.replace(/\.$/, '');
    errs.push(...invalidEach(`spec.dnsConfig.searches[${i}]`, v, isDNS1123Subdomain(v)));
  });
  arr(c.options)
    .map(obj)
    .forEach((o, i) => {
      if (!str(o.name)) errs.push(required(`spec.dnsConfig.options[${i}]`, 'must not be empty'));
    });
  return errs;
}

export function validatePodSpec(s: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!isSet(s.terminationGracePeriodSeconds)) errs.push(required('spec.terminationGracePeriodSeconds'));
  const containers = arr(s.containers).map(obj),
    inits = arr(s.initContainers).map(obj);
  if (containers.length === 0) errs.push(required('spec.containers'));
  else {
    const names = new Set<string>();
    containers.forEach((c, i) => {
      const at = `spec.containers[${i}]`;
      errs.push(...validateContainerCommon(c, at));
      if (names.has(str(c.name))) errs.push(duplicate(`${at}.name`, str(c.name)));
      else names.add(str(c.name));
      if (isSet(c.lifecycle)) {
        const l = obj(c.lifecycle);
        for (const h of ['postStart', 'preStop'])
          if (isSet(l[h]))
            errs.push(...validateHandler(obj(l[h]), `${at}.lifecycle.${h}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
      }
      errs.push(...validateProbe(c.livenessProbe, `${at}.livenessProbe`, 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, `${at}.readinessProbe`, 'readiness'));
      errs.push(...validateProbe(c.startupProbe, `${at}.startupProbe`, 'startup'));
      if (isSet(c.restartPolicy)) errs.push(forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
    });
    errs.push(...hostPortConflicts(containers, 'spec.containers', new Set()));
  }
  const all = new Set(containers.map((c) => str(c.name)));
  inits.forEach((c, i) => {
    const at = `spec.initContainers[${i}]`;
    errs.push(...validateContainerCommon(c, at));
    const always = c.restartPolicy === 'Always';
    if (isSet(c.restartPolicy) && !always) errs.push(notSupported(`${at}.restartPolicy`, c.restartPolicy, ['Always']));
    if (all.has(str(c.name))) errs.push(duplicate(`${at}.name`, str(c.name)));
    else if (str(c.name)) all.add(str(c.name));
    errs.push(...hostPortConflicts([c], 'spec.initContainers', new Set()));
    if (always) {
      errs.push(...validateProbe(c.livenessProbe, `${at}.livenessProbe`, 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, `${at}.readinessProbe`, 'readiness'));
      errs.push(...validateProbe(c.startupProbe, `${at}.startupProbe`, 'startup'));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (isSet(c[f]))
          errs.push(forbidden(`${at}.${f}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  if (s.hostNetwork === true) {
    containers.forEach((c, ci) =>
      arr(c.ports)
        .map(obj)
        .forEach((p, pi) => {
          if ((num(p.hostPort) ?? 0) !== (num(p.containerPort) ?? 0))
            errs.push(
              invalid(
                `spec.containers[${ci}].ports[${pi}].hostPort`,
                num(p.hostPort) ?? 0,
                'must match `containerPort` when `hostNetwork` is true',
              ),
            );
        }),
    );
  }
  const rp = str(s.restartPolicy);
  if (!rp) errs.push(required('spec.restartPolicy'));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp))
    errs.push(notSupported('spec.restartPolicy', rp, ['Always', 'OnFailure', 'Never']));
  const dp = str(s.dnsPolicy);
  if (!dp) errs.push(required('spec.dnsPolicy'));
  else if (!['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(dp))
    errs.push(notSupported('spec.dnsPolicy', dp, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  errs.push(...validateLabels(obj(s.nodeSelector) as Record<string, string>, 'spec.nodeSelector'));
  errs.push(...validateDNSConfig(s));
  if (str(s.serviceAccountName))
    errs.push(
      ...invalidEach(
        'spec.serviceAccountName',
        str(s.serviceAccountName),
        nameIsDNSSubdomain(str(s.serviceAccountName), false),
      ),
    );
  if (str(s.nodeName))
    errs.push(...invalidEach('spec.nodeName', str(s.nodeName), nameIsDNSSubdomain(str(s.nodeName), false)));
  const ads = num(s.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > maxInt32))
    errs.push(invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(1, maxInt32)));
  if (str(s.hostname)) errs.push(...invalidEach('spec.hostname', str(s.hostname), isDNS1123Label(str(s.hostname))));
  if (str(s.subdomain)) errs.push(...invalidEach('spec.subdomain', str(s.subdomain), isDNS1123Label(str(s.subdomain))));
  errs.push(...validateTolerations(arr(s.tolerations).map(obj), 'spec.tolerations'));
  errs.push(...validatePodAffinities(obj(s.affinity)));
  errs.push(...validateTopologySpreadConstraints(arr(s.topologySpreadConstraints).map(obj)));
  arr(s.hostAliases)
    .map(obj)
    .forEach((h, i) => {
      errs.push(...invalidEach(`spec.hostAliases[${i}].ip`, str(h.ip), isValidIP(str(h.ip))));
      arr(h.hostnames)
        .map(str)
        .forEach((n, j) =>
          errs.push(...invalidEach(`spec.hostAliases[${i}].hostnames[${j}]`, n, isDNS1123Subdomain(n))),
        );
    });
  if (str(s.priorityClassName))
    errs.push(
      ...invalidEach(
        'spec.priorityClassName',
        str(s.priorityClassName),
        nameIsDNSSubdomain(str(s.priorityClassName), false),
      ),
    );
  if (isSet(s.preemptionPolicy)) {
    const pp = str(s.preemptionPolicy);
    if (!pp) errs.push(required('spec.preemptionPolicy'));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never')
      errs.push(notSupported('spec.preemptionPolicy', pp, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

function validatePodMetadataAndSpec(o: KObject): FieldError[] {
  const s = obj(o.spec);
  const errs = [...validateObjectMeta(o, true, nameIsDNSSubdomain), ...validatePodSpec(s)];
  const all = [
    ...arr(s.containers)
      .map(obj)
      .map((c, i) => [c, `spec.containers[${i}]`] as const),
    ...arr(s.initContainers)
      .map(obj)
      .map((c, i) => [c, `spec.initContainers[${i}]`] as const),
  ];
  for (const [c, at] of all) {
    const image = str(c.image);
    if (image.trim().length !== image.length)
      errs.push(invalid(`${at}.image`, image, 'must not have leading or trailing whitespace'));
  }
  return errs;
}

export function validatePodCreate(o: KObject): FieldError[] {
  const errs = validatePodMetadataAndSpec(o);
  const s = obj(o.spec);
  if (arr(s.ephemeralContainers).length) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (str(s.nodeName) && arr(s.schedulingGates).length)
    errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

const updatableFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** ValidatePodUpdate: only images, activeDeadlineSeconds, toleration additions (and gate removals) may change. */
export function validatePodUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(o, old), ...validatePodMetadataAndSpec(o)];
  const s = obj(o.spec),
    os = obj(old.spec);
  for (const key of ['containers', 'initContainers']) {
    const nc = arr(s[key]).map(obj),
      oc = arr(os[key]).map(obj);
    if (nc.length !== oc.length) {
      errs.push(forbidden(`spec.${key}`, 'pod updates may not add or remove containers'));
      return errs;
    }
    nc.forEach((c, i) => {
      if (!str(c.image)) errs.push(required(`spec.${key}[${i}].image`));
      if (str(c.image).trim().length !== str(c.image).length)
        errs.push(invalid(`spec.${key}[${i}].image`, str(c.image), 'must not have leading or trailing whitespace'));
    });
  }
  const ads = num(s.activeDeadlineSeconds),
    oldAds = num(os.activeDeadlineSeconds);
  if (ads !== undefined) {
    if (ads < 0 || ads > maxInt32) {
      errs.push(invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, maxInt32)));
      return errs;
    }
    if (oldAds !== undefined && oldAds < ads) {
      errs.push(invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldAds !== undefined)
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));

  const newTols = arr(s.tolerations).map(obj);
  for (const t of arr(os.tolerations).map(obj)) {
    if (!newTols.some((n) => deepEqual({ ...t, tolerationSeconds: n.tolerationSeconds }, n))) {
      errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  const oldGates = new Set(arr(os.schedulingGates).map((g) => str(obj(g).name)));
  arr(s.schedulingGates)
    .map(obj)
    .forEach((g, i) => {
      if (!oldGates.has(str(g.name)))
        errs.push(
          forbidden(
            `spec.schedulingGates[${i}].name`,
            `only deletion is allowed, but found new scheduling gate '${str(g.name)}'`,
          ),
        );
    });

  if (deepEqual(s, os)) return errs;
  const munged: Obj = structuredClone(s);
  for (const key of ['containers', 'initContainers']) {
    const oc = arr(os[key]).map(obj);
    if (Array.isArray(munged[key]))
      munged[key] = (munged[key] as unknown[]).map((c, i) => ({ ...obj(c), image: oc[i]?.image }));
  }
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  munged.schedulingGates = os.schedulingGates;
  munged.tolerations = os.tolerations;
  const otg = num(os.terminationGracePeriodSeconds);
  if (otg !== undefined && otg < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = otg;
  if (!deepEqual(munged, os)) {
    errs.push(
      forbidden(
        'spec',
        `pod updates may not change fields other than ${updatableFields.join(',')}\n${podSpecDiff(os, munged)}`,
      ),
    );
  }
  return errs;
}

/** ValidatePodStatusUpdate: nodeName only via binding; qosClass immutable; condition types qualified. */
export function validatePodStatusUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(o, old);
  const st = obj(o.status),
    ost = obj(old.status);
  arr(st.conditions)
    .map(obj)
    .forEach((c, i) => {
      const t = str(c.type);
      if (['PodScheduled', 'Ready', 'Initialized'].includes(t)) return;
      errs.push(...invalidEach(`metadata.conditions[${i}].Type`, t, isQualifiedName(t)));
    });
  if (str(obj(o.spec).nodeName) !== str(obj(old.spec).nodeName))
    errs.push(forbidden('status.nodeName', 'may not be changed directly'));
  if (str(st.qosClass) !== str(ost.qosClass))
    errs.push(invalid('status.qosClass', str(st.qosClass), 'field is immutable'));
  arr(st.podIPs)
    .map(obj)
    .forEach((p, i) => errs.push(...invalidEach(`status.podIPs[${i}]`, str(p.ip), isValidIP(str(p.ip)))));
  const hostIPs = arr(st.hostIPs).map(obj);
  if (hostIPs.length && str(st.hostIP) !== str(hostIPs[0]!.ip))
    errs.push(invalid('status.hostIPs[0].ip', str(hostIPs[0]!.ip), 'must be equal to `hostIP`'));
  hostIPs.forEach((p, i) => errs.push(...invalidEach(`status.hostIPs[${i}]`, str(p.ip), isValidIP(str(p.ip)))));
  return errs;
}
