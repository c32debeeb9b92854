/** What the agent reports about its host in Node.status (read once at start). */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, arch } from 'node:os';
import { createHash } from 'node:crypto';
import { goArch, type HostFacts } from './node-object.js';

const readOr = (path: string, fallback: string): string => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
};

export function osImage(osRelease: string): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease);
  return m?.[1] ?? 'Linux';
}

export function readHostFacts(nodeName: string, nodeIp: string, maxPods: number, agentVersion: string): HostFacts {
  // Several nodes can share one machine (podnet up), so the machine id is
  // made unique per node the way a VM image would be.
  const machineId = createHash('sha256')
    .update(`${readOr('/etc/machine-id', '')}/${nodeName}`)
    .digest('hex')
    .slice(0, 32);
  return {
    nodeName,
    nodeIp,
    cpus: cpus().length,
    memoryKi: Math.floor(totalmem() / 1024),
    maxPods,
    kernelVersion: release(),
    osImage: osImage(readOr('/etc/os-release', '')),
    machineId,
    bootId: readOr('/proc/sys/kernel/random/boot_id', ''),
    architecture: goArch(arch()),
    agentVersion,
  };
}
