/** Discovery and /version as HTTP replies (the documents themselves are built in ../discovery.ts). */
import { errors } from '../../api/errors.js';
import { serveDiscovery, versionInfo as buildVersionInfo } from '../discovery.js';
import type { Reply } from '../http/reply.js';
import type { DiscoveryRequest } from '../request-info.js';

export function discoveryReply(info: DiscoveryRequest, accept: string | undefined, serverAddress: string): Reply {
  const res = serveDiscovery(info, accept, serverAddress);
  if (!res) throw errors.resourceNotFound();
  return { status: 200, headers: { 'Content-Type': res.contentType, ...res.headers }, body: JSON.stringify(res.body) };
}

export const versionInfo = (): object => buildVersionInfo();
