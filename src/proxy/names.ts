/**
 * Chain and set names in kube-proxy's style: a short hash (so names stay
 * unique whatever the length) followed by the readable service port id.
 */
import { createHash } from 'node:crypto';
import type { Endpoint, ServicePortState } from './types.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 8 base32 characters of sha256(text), like kube-proxy's hashed chain names. */
function shortHash(text: string): string {
  const d = createHash('sha256').update(text).digest();
  let out = '';
  for (let i = 0; i < 8; i++) out += BASE32[d[i]! & 31];
  return out;
}

const epId = (e: Endpoint): string => `${e.ip}/${e.port}`;

export const serviceChain = (p: ServicePortState): string => `service-${shortHash(p.id)}-${p.id}`;
export const externalChain = (p: ServicePortState): string => `external-${shortHash(p.id)}-${p.id}`;
export const endpointChain = (p: ServicePortState, e: Endpoint): string =>
  `endpoint-${shortHash(`${p.id}__${epId(e)}`)}-${p.id}__${epId(e)}`;
/** The timeout is part of the hashed name: a changed timeout is a new set, never an in-place change. */
export const affinitySet = (p: ServicePortState, e: Endpoint): string =>
  `affinity-${shortHash(`${p.id}__${epId(e)}__${p.affinitySeconds}`)}-${p.id}__${epId(e)}`;

/** iptables chain names: KUBE-SVC-<16 chars>; 28-character limit. */
function iptHash(text: string): string {
  const d = createHash('sha256').update(text).digest();
  let out = '';
  for (let i = 0; i < 16; i++) out += BASE32[d[i]! & 31];
  return out;
}
export const iptServiceChain = (p: ServicePortState): string => `KUBE-SVC-${iptHash(p.id)}`;
export const iptExternalChain = (p: ServicePortState): string => `KUBE-EXT-${iptHash(p.id)}`;
export const iptEndpointChain = (p: ServicePortState, e: Endpoint): string =>
  `KUBE-SEP-${iptHash(`${p.id}__${epId(e)}`)}`;
