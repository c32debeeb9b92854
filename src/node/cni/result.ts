/**
 * Reading what plugins print (pure): a CNI result on success, a CNI error
 * object ({code,msg,details}) on failure.
 */
import type { CniCommand, CniIpConfig, CniResult } from './types.js';

/** Well-known error codes from the spec, for messages a human can act on. */
const WELL_KNOWN_CODES: Record<number, string> = {
  1: 'incompatible CNI version',
  2: 'unsupported field in network configuration',
  3: 'container unknown or does not exist',
  4: 'invalid necessary environment variables',
  5: 'I/O failure',
  6: 'failed to decode content',
  7: 'invalid network config',
  11: 'try again later',
};

export class CniPluginError extends Error {
  constructor(
    readonly plugin: string,
    readonly command: CniCommand,
    readonly code: number,
    readonly msg: string,
    readonly details: string,
  ) {
    const kind = WELL_KNOWN_CODES[code] ? ` (${WELL_KNOWN_CODES[code]})` : '';
    super(`CNI plugin ${plugin} ${command} failed with code ${code}${kind}: ${msg}${details ? ` — ${details}` : ''}`);
    this.name = 'CniPluginError';
  }
  /** Code 11: the runtime should retry the operation later. */
  get retryable(): boolean {
    return this.code === 11;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Turns a failed plugin run into a CniPluginError, whether or not it printed a proper error object. */
export function parseCniError(
  plugin: string,
  command: CniCommand,
  exitCode: number,
  stdout: string,
  stderr: string,
): CniPluginError {
  try {
    const o: unknown = JSON.parse(stdout);
    if (isObject(o) && typeof o.code === 'number') {
      return new CniPluginError(
        plugin,
        command,
        o.code,
        typeof o.msg === 'string' ? o.msg : 'no message',
        typeof o.details === 'string' ? o.details : '',
      );
    }
  } catch {
    /* not JSON: fall through to the raw output */
  }
  const text = (stderr.trim() || stdout.trim() || 'no output').slice(0, 2000);
  // -1: not a CNI error code (999 is taken: it is what Go plugins use for generic errors).
  return new CniPluginError(plugin, command, -1, `exited ${exitCode} without a CNI error object`, text);
}

/** Validates and normalises a plugin's success output. */
export function parseCniResult(plugin: string, stdout: string): CniResult {
  let o: unknown;
  try {
    o = JSON.parse(stdout);
  } catch {
    throw new Error(
      `CNI plugin ${plugin} printed something that is not JSON as its result: ${stdout.slice(0, 200) || '(nothing)'}`,
    );
  }
  const bad = (what: string) => new Error(`CNI plugin ${plugin} returned an invalid result: ${what}`);
  if (!isObject(o)) throw bad('not an object');
  if (typeof o.cniVersion !== 'string') throw bad('missing cniVersion');
  const result: CniResult = { cniVersion: o.cniVersion };
  if (o.interfaces !== undefined) {
    if (!Array.isArray(o.interfaces)) throw bad('interfaces is not a list');
    result.interfaces = o.interfaces.map((i, n) => {
      if (!isObject(i) || typeof i.name !== 'string') throw bad(`interfaces[${n}] has no name`);
      return {
        name: i.name,
        ...(typeof i.mac === 'string' ? { mac: i.mac } : {}),
        ...(typeof i.sandbox === 'string' ? { sandbox: i.sandbox } : {}),
      };
    });
  }
  if (o.ips !== undefined) {
    if (!Array.isArray(o.ips)) throw bad('ips is not a list');
    result.ips = o.ips.map((ip, n): CniIpConfig => {
      if (!isObject(ip) || typeof ip.address !== 'string' || !ip.address.includes('/'))
        throw bad(`ips[${n}].address is not a CIDR`);
      if (ip.interface !== undefined && (typeof ip.interface !== 'number' || !result.interfaces?.[ip.interface])) {
        throw bad(`ips[${n}].interface points at no interface`);
      }
      return {
        address: ip.address,
        ...(typeof ip.gateway === 'string' ? { gateway: ip.gateway } : {}),
        ...(typeof ip.interface === 'number' ? { interface: ip.interface } : {}),
      };
    });
  }
  if (o.routes !== undefined) {
    if (!Array.isArray(o.routes)) throw bad('routes is not a list');
    result.routes = o.routes.map((r, n) => {
      if (!isObject(r) || typeof r.dst !== 'string') throw bad(`routes[${n}] has no dst`);
      return { dst: r.dst, ...(typeof r.gw === 'string' ? { gw: r.gw } : {}) };
    });
  }
  if (isObject(o.dns)) result.dns = o.dns;
  return result;
}

/**
 * The pod's IPv4 address: the first IPv4 entry on an interface inside the
 * sandbox named ifName (or with no interface index, as some plugins do).
 */
export function podIPv4(result: CniResult, ifName: string): string | undefined {
  for (const ip of result.ips ?? []) {
    const addr = ip.address.split('/')[0]!;
    if (addr.includes(':')) continue;
    if (ip.interface === undefined) return addr;
    const iface = result.interfaces?.[ip.interface];
    if (iface && iface.name === ifName && iface.sandbox) return addr;
  }
  return undefined;
}
