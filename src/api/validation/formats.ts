/**
 * The string formats Kubernetes checks (apimachinery util/validation), each
 * returning the list of problems in Kubernetes' exact words; empty = valid.
 */
import { isIP } from 'node:net';

const regexError = (msg: string, fmt: string, ...examples: string[]): string => {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
};
const maxLenError = (n: number) => `must be no more than ${n} characters`;
export const inclusiveRangeError = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;
const emptyError = () => 'must be non-empty';
/** Byte length, as Go's len() on a string counts. */
export const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);
const qnameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qnameRe = new RegExp(`^${qnameFmt}$`);
const qnameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueFmt = `(${qnameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);

export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(v)) {
    if (dns1123SubdomainRe.test(v)) errs.push('must not contain dots');
    else
      errs.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          dns1123LabelFmt,
          'my-name',
          '123-abc',
        ),
      );
  }
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(v))
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        'example.com',
      ),
    );
  return errs;
}

function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 63) errs.push(maxLenError(63));
  if (!dns1035LabelRe.test(v))
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFmt,
        'my-name',
        'abc-123',
      ),
    );
  return errs;
}

const wildcardFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardRe = new RegExp(`^${wildcardFmt}$`);
export function isWildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 253) errs.push(maxLenError(253));
  if (!wildcardRe.test(v))
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        wildcardFmt,
        '*.example.com',
      ),
    );
  return errs;
}

/** Label keys, annotation keys, finalizers: an optional DNS subdomain prefix and '/', then a name. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(qnameErrMsg, qnameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qnameRe.test(name)) errs.push(`name part ${regexError(qnameErrMsg, qnameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(v))
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  return errs;
}

export const isValidPortNum = (p: number): string[] =>
  Number.isInteger(p) && p >= 1 && p <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
/** IANA_SVC_NAME: what a named port may be called. */
export function isValidPortName(p: string): string[] {
  const errs: string[] = [];
  if (byteLength(p) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(p)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(p)) errs.push('must contain at least one letter (a-z)');
  if (p.includes('--')) errs.push('must not contain consecutive hyphens');
  if (p.length > 0 && (p.startsWith('-') || p.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
function hasChDirPrefix(v: string): string[] {
  if (v === '.') return ["must not be '.'"];
  if (v === '..') return ["must not be '..'"];
  if (v.startsWith('..')) return ["must not start with '..'"];
  return [];
}
export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (byteLength(v) > 253) errs.push(maxLenError(253));
  if (!new RegExp(`^${configMapKeyFmt}$`).test(v))
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        configMapKeyFmt,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  errs.push(...hasChDirPrefix(v));
  return errs;
}

/** Env var names under RelaxedEnvironmentVariableValidation (on by default since 1.32). */
export function isRelaxedEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (v.length === 0) errs.push(`environment variable name ${emptyError()}`);
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    if (c > 127 || c < 32 || c === 127 || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

/** Go's ParseIPSloppy also accepts IPv4 octets with leading zeros. */
function parseIPSloppy(v: string): 4 | 6 | 0 {
  const fam = isIP(v);
  if (fam) return fam as 4 | 6;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v) && v.split('.').every((o) => Number(o) <= 255)) return 4;
  return 0;
}
export const ipFamily = parseIPSloppy;
export const isValidIP = (v: string): string[] =>
  parseIPSloppy(v) ? [] : ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
export const isValidIPv4 = (v: string): string[] => (parseIPSloppy(v) === 4 ? [] : ['must be a valid IPv4 address']);
export const isValidIPv6 = (v: string): string[] => (parseIPSloppy(v) === 6 ? [] : ['must be a valid IPv6 address']);

export function isValidCIDR(v: string): string[] {
  const bad = ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
  const slash = v.indexOf('/');
  if (slash < 0) return bad;
  const fam = parseIPSloppy(v.slice(0, slash));
  const bits = v.slice(slash + 1);
  if (!fam || !/^\d{1,3}$/.test(bits)) return bad;
  return Number(bits) <= (fam === 4 ? 32 : 128) ? [] : bad;
}

/** The four octets of a dotted IPv4 address (leading zeros allowed), read without splitting: endpoint slices check thousands. */
function ipv4Octets(v: string): [number, number, number, number] {
  const o: [number, number, number, number] = [0, 0, 0, 0];
  let k = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 46) k++;
    else o[k] = o[k]! * 10 + (c - 48);
  }
  return o;
}

/** Problems with an IP an endpoint may not point at (unspecified, loopback, link-local). */
export function nonSpecialIPErrors(v: string): string[] {
  const fam = parseIPSloppy(v);
  if (!fam) return ['must be a valid IP address'];
  const errs: string[] = [];
  if (fam === 4) {
    const o = ipv4Octets(v);
    if (o[0] === 0 && o[1] === 0 && o[2] === 0 && o[3] === 0) errs.push(`may not be unspecified (${v})`);
    if (o[0] === 127) errs.push('may not be in the loopback range (127.0.0.0/8, ::1/128)');
    if (o[0] === 169 && o[1] === 254) errs.push('may not be in the link-local range (169.254.0.0/16, fe80::/10)');
    if (o[0] === 224 && o[1] === 0 && o[2] === 0)
      errs.push('may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)');
  } else {
    const s = v.toLowerCase();
    if (s === '::') errs.push(`may not be unspecified (${v})`);
    if (s === '::1') errs.push('may not be in the loopback range (127.0.0.0/8, ::1/128)');
    if (/^fe[89ab]/.test(s)) errs.push('may not be in the link-local range (169.254.0.0/16, fe80::/10)');
    if (/^ff02:/.test(s)) errs.push('may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)');
  }
  return errs;
}

/** Name rules for metadata.name; `prefix` = generateName, where a trailing '-' is allowed. */
export type NameRule = (name: string, prefix: boolean) => string[];
// Go's maskTrailingDash drops the last two characters before appending 'a'; kept for identical verdicts.
const maskTrailingDash = (n: string) => (n.length > 1 && n.endsWith('-') ? `${n.slice(0, -2)}a` : n);
export const nameIsDNSSubdomain: NameRule = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameRule = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameRule = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);

const percentFmt = '[0-9]+%';
const percentRe = new RegExp(`^${percentFmt}$`);
/** IsValidPercent: "10%" and the like (maxSurge, maxUnavailable). */
export function isValidPercent(v: string): string[] {
  if (percentRe.test(v)) return [];
  return [
    regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%'),
  ];
}
