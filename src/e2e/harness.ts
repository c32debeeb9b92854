/**
 * End-to-end harness: a real `podnet` API server started in this process on
 * 127.0.0.1:0 with a fresh state directory, driven by the real kubectl
 * binaries (and by plain HTTPS for the bad-input tests), the way a new user
 * would drive it. Everything a test creates lives under one temp dir that
 * close() removes, whether the tests passed or not.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../apiserver/server.js';

/** What one command printed and how it ended. */
export interface RunResult {
  command: string;
  stdout: string;
  stderr: string;
  /** Exit status; null when the process was killed (timeout). */
  code: number | null;
}

/** One kubectl binary under test, named by its minor version. */
interface KubectlBinary {
  version: string;
  path: string;
}

const SDK_BIN = '/usr/lib/google-cloud-sdk/bin';

/**
 * The kubectl binaries to run the suite with: $KUBECTL_VERSIONS, a comma
 * list of minor versions ("1.32,1.27,1.33") or paths; default all three the
 * project supports. 1.32 prefers the pinned SDK binary over the `kubectl`
 * on PATH, which may be a version dispatcher.
 */
export function kubectlBinaries(): KubectlBinary[] {
  const wanted = (process.env['KUBECTL_VERSIONS'] ?? '1.32,1.27,1.33')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return wanted.map((w) => {
    if (w.includes('/')) return { version: w.split('/').pop()!, path: w };
    const pinned = join(SDK_BIN, `kubectl.${w}`);
    if (existsSync(pinned)) return { version: w, path: pinned };
    if (w === '1.32') return { version: w, path: 'kubectl' };
    throw new Error(`KUBECTL_VERSIONS names ${w}, but ${pinned} does not exist; install it or drop it from the list`);
  });
}

let counter = 0;
/** A name no other test in this run uses: lower case, DNS-1035 (starts with a letter). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Wait until `probe` returns a value other than undefined, or fail after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${(last as Error).message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An HTTPS response, body as text and (when it parses) as JSON. */
export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** A running cluster plus the temp dirs around it. */
export class Cluster {
  server!: RunningApiServer;
  private agent!: Agent;
  private caPem = '';

  private constructor(
    /** Root temp dir: state/, work/ (manifests, scripts), home/ (kubectl cache). */
    readonly root: string,
  ) {}

  get stateDir(): string {
    return join(this.root, 'state');
  }
  get workDir(): string {
    return join(this.root, 'work');
  }
  get kubeconfig(): string {
    return this.server.kubeconfigPath;
  }
  get token(): string {
    return this.server.adminToken;
  }

  /** Start a fresh API server (controllers on) in a new temp dir. */
  static async start(): Promise<Cluster> {
    const root = mkdtempSync(join(tmpdir(), 'podnet-e2e-'));
    const c = new Cluster(root);
    mkdirSync(c.workDir, { recursive: true });
    mkdirSync(join(root, 'home'), { recursive: true });
    try {
      await c.boot();
    } catch (e) {
      rmSync(root, { recursive: true, force: true });
      throw e;
    }
    return c;
  }

  private async boot(): Promise<void> {
    this.server = await startApiServer({ stateDir: this.stateDir, host: '127.0.0.1', port: 0 });
    this.caPem = this.server.caCertPem ?? '';
    this.agent = new Agent({ ca: this.caPem, keepAlive: true, maxSockets: 64 });
  }

  /** Stop the server and start it again on the same state dir (a new port). */
  async restart(): Promise<void> {
    this.agent.destroy();
    await this.server.close();
    this.running = false;
    await this.boot();
    this.running = true;
  }

  private running = true;

  /** Stop the server and remove every file the tests made. Safe to call twice. */
  async close(): Promise<void> {
    try {
      this.agent?.destroy();
      if (this.server && this.running) await this.server.close();
      this.running = false;
    } finally {
      rmSync(this.root, { recursive: true, force: true });
      exitIfHandlesLeak();
    }
  }

  /** Write a file under work/ and return its absolute path. */
  writeFile(name: string, content: string, mode = 0o644): string {
    const path = join(this.workDir, name);
    writeFileSync(path, content, { mode });
    return path;
  }

  /** Environment for a kubectl run: only this cluster's kubeconfig, a private HOME. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: join(this.root, 'home'),
      KUBECONFIG: this.kubeconfig,
      ...extra,
    };
  }

  /** A kubectl bound to this cluster. */
  kubectl(bin: KubectlBinary): Kubectl {
    return new Kubectl(bin, this);
  }

  /**
   * One HTTPS request with the cluster CA. `token`: undefined sends the
   * admin token, null sends no Authorization header, a string sends that.
   */
  request(
    method: string,
    path: string,
    opts: { body?: string | Buffer; contentType?: string; token?: string | null; accept?: string } = {},
  ): Promise<HttpResult> {
    const url = new URL(path, this.server.url);
    const headers: Record<string, string | number> = { Accept: opts.accept ?? 'application/json' };
    const token = opts.token === undefined ? this.token : opts.token;
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    if (opts.body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(opts.body);
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method, headers, agent: this.agent, timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no response within 60 s`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // The server may answer 413 and close before it read the whole body.
        reject(e);
      });
      if (opts.body !== undefined) req.end(opts.body);
      else req.end();
    });
  }
}

/**
 * A server that failed half-way through starting (e.g. on restart) can leave
 * a listening socket nobody holds, and the test file would then never exit.
 * All results are reported by the time close() runs, so after a grace period
 * end the process, saying why.
 */
function exitIfHandlesLeak(): void {
  setTimeout(() => {
    process.stderr.write(
      'podnet e2e: the test file finished but something (a server that failed to start?) still holds the event loop; exiting\n',
    );
    process.exit();
  }, 10_000).unref();
}

/** Render a RunResult for assertion messages: the evidence a reader needs. */
function describeRun(r: RunResult): string {
  return `$ ${r.command}\n[exit ${r.code}]\n--- stdout ---\n${r.stdout}--- stderr ---\n${r.stderr}`;
}

/** The real kubectl, pointed at one cluster. */
class Kubectl {
  constructor(
    readonly bin: KubectlBinary,
    private readonly cluster: Cluster,
  ) {}

  /** Run kubectl and capture everything; never throws for a non-zero exit. */
  run(
    args: string[],
    opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    const command = `kubectl(${this.bin.version}) ${args.join(' ')}`;
    return new Promise((resolve) => {
      const child = execFile(
        this.bin.path,
        args,
        {
          env: this.cluster.env(opts.env),
          timeout: opts.timeoutMs ?? 60_000,
          maxBuffer: 64 * 1024 * 1024,
          cwd: this.cluster.workDir,
        },
        (err, stdout, stderr) => {
          let code: number | null = 0;
          if (err) code = typeof err.code === 'number' ? err.code : null;
          resolve({ command, stdout: String(stdout), stderr: String(stderr), code });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }

  /** Run and require success with nothing on stderr (no warnings); return stdout. */
  async ok(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0 || r.stderr !== '') {
      throw new Error(`expected exit 0 and an empty stderr\n${describeRun(r)}`);
    }
    return r.stdout;
  }

  /** Run and require a non-zero exit; return the whole result. */
  async fails(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
    const r = await this.run(args, opts);
    if (r.code === 0 || r.code === null) throw new Error(`expected kubectl to fail\n${describeRun(r)}`);
    return r;
  }

  /** The object as JSON (`kubectl get ... -o json`). */
  async getJson(args: string[]): Promise<any> {
    return JSON.parse(await this.ok(['get', ...args, '-o', 'json']));
  }

  /** Start a long-running kubectl (e.g. `get -w`) whose output can be awaited line by line. */
  spawn(args: string[]): Watcher {
    const child = spawn(this.bin.path, args, {
      env: this.cluster.env(),
      cwd: this.cluster.workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Watcher(`kubectl(${this.bin.version}) ${args.join(' ')}`, child);
  }
}

/** A running `kubectl get -w`: collects output until stop(). */
export class Watcher {
  stdout = '';
  stderr = '';
  private exited = false;
  private waiters: (() => void)[] = [];

  constructor(
    readonly command: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (c: Buffer) => {
      this.stdout += c.toString('utf8');
      this.wake();
    });
    child.stderr!.on('data', (c: Buffer) => {
      this.stderr += c.toString('utf8');
      this.wake();
    });
    child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Non-empty stdout lines so far. */
  lines(): string[] {
    return this.stdout.split('\n').filter((l) => l.trim() !== '');
  }

  /** Resolve once `pred(lines)` holds; fail with the output so far after `timeoutMs` or if kubectl exits. */
  async waitFor(what: string, pred: (lines: string[]) => boolean, timeoutMs = 20_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (pred(this.lines())) return this.lines();
      const left = deadline - Date.now();
      if (this.exited || left <= 0) {
        throw new Error(
          `${this.exited ? 'kubectl exited' : `timed out after ${timeoutMs} ms`} before ${what}\n$ ${this.command}\n--- stdout ---\n${this.stdout}--- stderr ---\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Kill kubectl (by this child's pid only) and wait for it to exit. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await done;
  }
}

export { parseTable } from './table.js';
