/**
 * A single-member etcd on loopback, on free ports, in a temporary
 * directory, for tests: started, waited for, and removed with its data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import type { Requirement } from '../../../testing/requirements.js';
import { clientUrl, etcdArgs, type EtcdMember } from '../server-args.js';

export const etcdServer: Requirement = {
  ok: () => spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0,
  missing: 'needs etcd on PATH: apt-get install etcd-server (or run scripts/install-deps)',
};

export interface ThrowawayEtcd {
  endpoint: string;
  dir: string;
  /** The etcd process now (a restart changes it). */
  readonly pid: number;
  /** Kill etcd (SIGKILL) and start it again on the same data and ports. */
  restart(): Promise<void>;
  /** Kill etcd and remove its directory; idempotent. */
  stop(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startThrowawayEtcd(): Promise<ThrowawayEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-etcd-'));
  const member: EtcdMember = {
    name: 'test',
    host: '127.0.0.1',
    clientPort: await freeLoopbackPort(),
    peerPort: await freeLoopbackPort(),
  };
  const logPath = join(dir, 'etcd.log');
  const args = etcdArgs({ member, cluster: [member], dataDir: join(dir, 'data'), progressNotifyInterval: '1s' });
  const endpoint = clientUrl(member, false);
  let child = launch(args, logPath);
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  };
  const stop = async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(endpoint, child, logPath);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    dir,
    get pid() {
      return child.pid!;
    },
    stop,
    restart: async () => {
      await kill();
      child = launch(args, logPath);
      await waitReady(endpoint, child, logPath);
    },
  };
}

function launch(args: string[], logPath: string): ChildProcess {
  const log = openSync(logPath, 'a');
  try {
    return spawn('etcd', args, { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
}

async function waitReady(endpoint: string, child: ChildProcess, logPath: string): Promise<void> {
  const client = new Etcd3({ hosts: endpoint, dialTimeout: 1000 });
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (child.exitCode !== null) {
        throw new Error(`etcd exited with ${child.exitCode}:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
      }
      try {
        await client.kv.range({ key: Buffer.from('/') }, { deadline: Date.now() + 1000 });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`etcd at ${endpoint} did not become ready; see ${logPath}`);
  } finally {
    client.close();
  }
}
