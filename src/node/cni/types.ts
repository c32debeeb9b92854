/**
 * CNI 1.0.0 data shapes as the runtime sees them: a network configuration
 * list, the per-plugin objects inside it, and the result a plugin returns.
 */

export const CNI_VERSION = '1.0.0';

/** One plugin object of a conflist; everything besides type/capabilities is plugin-specific. */
export interface CniPluginConf {
  type: string;
  /** Runtime capabilities the plugin wants in runtimeConfig (e.g. portMappings). */
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  disableCheck?: boolean;
  plugins: CniPluginConf[];
}

interface CniInterface {
  name: string;
  mac?: string;
  /** Path of the netns the interface lives in; absent for host-side interfaces. */
  sandbox?: string;
}

export interface CniIpConfig {
  /** CIDR notation, e.g. 10.250.3.2/24. */
  address: string;
  gateway?: string;
  /** Index into interfaces. */
  interface?: number;
}

interface CniRoute {
  dst: string;
  gw?: string;
}

interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: CniRoute[];
  dns?: CniDns;
}

/** hostPort mapping in the shape the portmap plugin reads from runtimeConfig.portMappings. */
export interface CniPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

/** Which attachment a CNI call is about (the spec's attachment parameters). */
export interface CniAttachment {
  containerId: string;
  /** Path of the container's netns; empty on DEL when the netns is already gone. */
  netns: string;
  ifName: string;
  /** CNI_ARGS key/value pairs, e.g. K8S_POD_NAME. */
  args: Record<string, string>;
  /** Values for capabilities plugins declare, e.g. { portMappings: [...] }. */
  capabilityArgs: Record<string, unknown>;
}

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';
