/** sandbox.json: what the runtime remembers about a sandbox, written atomically. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ProcessIdentity } from './proc.js';

export interface SandboxRecord {
  version: 1;
  /** 'creating' until namespaces, CNI and holder are all up; a crash leaves it so (then it is garbage). */
  phase: 'creating' | 'ready';
  uid: string;
  namespace: string;
  name: string;
  hostname: string;
  hostNetwork: boolean;
  sandboxId: string;
  ip: string;
  netns?: string;
  createdAt: string;
  holder?: ProcessIdentity;
  /** The holder's mount namespace ("mnt:[...]"), to find every process of the pod. */
  mountNs?: string;
  /** shareProcessNamespace: the holder owns one PID namespace all containers join. */
  sharedPid?: boolean;
}

export async function readSandboxRecord(file: string): Promise<SandboxRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const o = JSON.parse(text) as SandboxRecord;
    return o.version === 1 ? o : undefined;
  } catch {
    return undefined;
  }
}

export async function writeSandboxRecord(file: string, rec: SandboxRecord): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(rec, null, 2));
  await rename(`${file}.tmp`, file);
}
