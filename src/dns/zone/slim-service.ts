/**
 * A Service as DNS holds it: one object with the few fields DNS reads.
 * It is its own `metadata` and `spec` (getters that return itself), so code
 * written against the API shape (svc.metadata.name, svc.spec.clusterIP)
 * reads it unchanged, while 100k Services cost one object each instead of
 * three, with an IPv4 ClusterIP as a 32-bit integer rather than a string.
 * Rare fields (other Service types, dual-stack, business-name annotations)
 * sit in a side object that only SlimRareService carries.
 */
import { ipv4ToNumber, numberToIpv4 } from '../../api/ipv4.js';
import type { ObjectMeta } from '../../api/meta.js';
import type { DnsService, DnsServicePort } from './objects.js';

/** What few Services have: everything but name, namespace, resourceVersion, an IPv4 ClusterIP and named ports. */
export interface RareServiceFields {
  type?: string;
  /** A ClusterIP that is not one IPv4 address ("None", IPv6). */
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  publishNotReadyAddresses?: boolean;
  uid?: string;
  creationTimestamp?: string;
  annotations?: Record<string, string>;
}

export class SlimService {
  [field: string]: unknown;
  /** The resourceVersion: a small integer when it is one (etcd's and ours are), no string per Service. */
  private readonly rv: number | string | undefined;

  constructor(
    /** "namespace/name": the informer's cache key, and the only copy of both names. */
    readonly key: string,
    resourceVersion: string | undefined,
    /** The IPv4 ClusterIP as int32, when that is the Service's only ClusterIP. */
    readonly ipv4: number | undefined,
    readonly ports: readonly Readonly<DnsServicePort>[] | undefined,
  ) {
    const n = Number(resourceVersion);
    this.rv = resourceVersion && /^[1-9][0-9]{0,8}$/.test(resourceVersion) ? n : resourceVersion;
  }

  /** Fields few Services have (SlimRareService holds them). */
  get rare(): RareServiceFields | undefined {
    return undefined;
  }
  get namespace(): string {
    return this.key.slice(0, this.key.indexOf('/'));
  }
  get name(): string {
    return this.key.slice(this.key.indexOf('/') + 1);
  }
  get resourceVersion(): string | undefined {
    return typeof this.rv === 'number' ? String(this.rv) : this.rv;
  }

  get apiVersion(): string {
    return 'v1';
  }
  get kind(): string {
    return 'Service';
  }
  get metadata(): ObjectMeta {
    return this;
  }
  get spec(): NonNullable<DnsService['spec']> {
    return this;
  }

  get clusterIP(): string | undefined {
    const n = this.ipv4;
    return n === undefined ? this.rare?.clusterIP : numberToIpv4(n);
  }
  get clusterIPs(): string[] | undefined {
    return this.rare?.clusterIPs;
  }
  get type(): string | undefined {
    return this.rare?.type;
  }
  get externalName(): string | undefined {
    return this.rare?.externalName;
  }
  get publishNotReadyAddresses(): boolean | undefined {
    return this.rare?.publishNotReadyAddresses;
  }
  get uid(): string | undefined {
    return this.rare?.uid;
  }
  get creationTimestamp(): string | undefined {
    return this.rare?.creationTimestamp;
  }
  get annotations(): Record<string, string> | undefined {
    return this.rare?.annotations;
  }
}

/** A Service with fields beyond the common ones: other types, dual-stack, business names. */
export class SlimRareService extends SlimService {
  constructor(
    key: string,
    resourceVersion: string | undefined,
    ipv4: number | undefined,
    ports: readonly Readonly<DnsServicePort>[] | undefined,
    private readonly extra: RareServiceFields,
  ) {
    super(key, resourceVersion, ipv4, ports);
  }

  override get rare(): RareServiceFields {
    return this.extra;
  }
}

/** "a.b.c.d" -> int32, as the zone stores ClusterIPs; undefined for anything else. */
export function ipv4ToInt32(ip: string): number | undefined {
  const n = ipv4ToNumber(ip);
  return n === undefined ? undefined : n | 0;
}
