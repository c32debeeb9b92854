/**
 * Test helpers that run a resolved image for real: temp data dirs, files
 * written like the node agent would, the process started in its own process
 * group, and everything killed and removed when the test ends, pass or fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import type { ResolvedImage } from '../types.js';

/** A fresh directory removed after the test. */
export function tempDir(t: TestContext, prefix = 'podnet-images-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What the node agent does with ResolvedImage.files. */
export function writeImageFiles(image: ResolvedImage): void {
  for (const f of image.files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.content, { mode: f.mode ?? 0o644 });
  }
}

/** A port that was free a moment ago (for programs that cannot listen on 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Running {
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the first match of re in the output. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/**
 * Starts the image's argv with its env and working dir, stdout+stderr going
 * to a log file as the node agent's runtime does (nginx opens /dev/stdout,
 * which a socket, as Node's own pipes are, cannot be reopened as). Kills its
 * whole process group after the test.
 */
export function startImage(t: TestContext, image: ResolvedImage, extraEnv: Record<string, string> = {}): Running {
  const logFile = join(tempDir(t, 'podnet-image-log-'), 'container.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(image.argv[0]!, image.argv.slice(1), {
    env: { ...image.env, ...extraEnv },
    ...(image.workingDir ? { cwd: image.workingDir } : {}),
    stdio: ['ignore', fd, fd],
    detached: true, // its own process group, so nginx workers and java die with it
  });
  closeSync(fd);
  const output = (): string => readFileSync(logFile, 'utf8');
  let done = false;
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? -1);
    }),
  );
  t.after(async () => {
    if (!done && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    }
  });
  return {
    child,
    output,
    exited,
    async waitForOutput(re, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = output().match(re);
        if (m) return m;
        if (done) throw new Error(`process exited before printing ${re}; output:\n${output()}`);
        if (Date.now() > deadline) throw new Error(`no ${re} within ${timeoutMs} ms; output:\n${output()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

interface HttpReply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export function httpGet(url: string, timeoutMs = 5000): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** Retries GET until it answers (a server still starting refuses connections); fails fast, with its output, if the server exits. */
export async function waitForHttp(url: string, timeoutMs: number, server?: Running): Promise<HttpReply> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | string | undefined;
  void server?.exited.then((c) => {
    exited = c;
  });
  for (;;) {
    try {
      return await httpGet(url);
    } catch (e) {
      const why = `${url} did not answer within ${timeoutMs} ms: ${(e as Error).message}`;
      if (exited !== undefined)
        throw new Error(`${url}: the server exited (${exited}) before answering; output:\n${server!.output()}`, {
          cause: e,
        });
      if (Date.now() > deadline) throw new Error(server ? `${why}; output:\n${server.output()}` : why, { cause: e });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** One UDP request/answer on loopback. */
export function udpAsk(port: number, message: string, timeoutMs = 3000): Promise<string> {
  const sock = dgram.createSocket('udp4');
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no UDP answer from 127.0.0.1:${port} to ${JSON.stringify(message)}`)),
      timeoutMs,
    );
    sock.on('message', (m) => {
      clearTimeout(timer);
      resolve(m.toString());
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.send(message, port, '127.0.0.1');
  }).finally(() => sock.close());
}
