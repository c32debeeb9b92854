/** The parent's side of fresh-backend-server.ts: start it pinned, listen, arm an address, await its first request. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAndWait } from '../common/netns.js';
import type { FreshIn, FreshOut } from './fresh-backend-server.js';

const ENTRY = fileURLToPath(new URL('./fresh-backend-server.js', import.meta.url));

export class FreshBackends {
  private readonly proc: ChildProcess;
  private readonly waiting = new Map<string, (m: FreshOut) => void>();
  private stderr = '';

  constructor(cpus: string) {
    const argv = [...(cpus ? ['taskset', '-c', cpus] : []), process.execPath, ENTRY];
    // taskset execs node, which finds the IPC channel in the environment and fd it inherits.
    this.proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.proc.stderr!.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-4000)));
    this.proc.on('message', (m: FreshOut) => {
      const key = m.op === 'hit' || m.op === 'armed' ? `${m.op} ${m.address}` : m.op === 'error' ? 'listening' : m.op;
      const w = this.waiting.get(key);
      this.waiting.delete(key);
      w?.(m);
    });
  }

  private expect(key: string, msg: FreshIn, timeoutMs: number): Promise<FreshOut> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`fresh backends: no "${key}" within ${timeoutMs} ms${this.stderr ? `: ${this.stderr}` : ''}`));
      }, timeoutMs);
      this.waiting.set(key, (m) => {
        clearTimeout(timer);
        if (m.op === 'error') reject(new Error(`fresh backends: ${m.message}`));
        else resolve(m);
      });
      this.proc.send(msg);
    });
  }

  async listen(addresses: string[]): Promise<void> {
    await this.expect('listening', { op: 'listen', addresses }, 30_000);
  }

  /**
   * Arms `address` and resolves once that is done; `hit` then resolves
   * with the monotonic time (ns) of the first request to reach it.
   */
  async arm(address: string, timeoutMs: number): Promise<{ hit: Promise<bigint> }> {
    let resolveHit!: (ns: bigint) => void;
    let rejectHit!: (e: Error) => void;
    const hit = new Promise<bigint>((res, rej) => {
      resolveHit = res;
      rejectHit = rej;
    });
    // The caller awaits it; a sample abandoned after a failed write must not end the process.
    hit.catch(() => undefined);
    // Registered before arming: the hit may come right after the child armed it.
    const key = `hit ${address}`;
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      rejectHit(new Error(`no request reached ${address} within ${timeoutMs} ms`));
    }, timeoutMs);
    this.waiting.set(key, (m) => {
      clearTimeout(timer);
      if (m.op === 'hit') resolveHit(BigInt(m.atNs));
    });
    await this.expect(`armed ${address}`, { op: 'arm', address }, 10_000);
    return { hit };
  }

  stop(): Promise<void> {
    return killAndWait(this.proc);
  }
}
