/**
 * A long-lived `nft -i` for small transactions: starting `nft` costs
 * 30–40 ms on a busy VM (more than the whole latency goal), a line to a
 * running one a few. Each line nft reads is one transaction (atomic, like
 * `nft -f`). Completion is seen on stderr: after every transaction we send
 * a line that is only a unique tag, a syntax error nft reports before
 * touching the kernel (a `list` would read the whole ruleset back, which
 * costs hundreds of ms at 10,000 Services); anything nft printed on
 * stderr before that is the transaction's error. Any trouble (exit, timeout) ends the session; the
 * caller falls back to `nft -f` and the next call starts a new one.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnPiped } from '../../host/exec.js';

const TIMEOUT_MS = 10_000;
/** Lines longer than this go through `nft -f` (the line editor is not meant for megabytes). */
export const SESSION_MAX_SCRIPT = 64 * 1024;

export class NftSession {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private stderr = '';
  private seq = 0;
  private wake: (() => void) | undefined;
  private busy: Promise<void> = Promise.resolve();

  /** Runs `script` (newline-separated nft commands) as one transaction; rejects with nft's error. */
  run(script: string): Promise<void> {
    const next = this.busy.then(() => this.runNow(script));
    this.busy = next.catch(() => undefined); // the caller gets the error from `next`; `busy` only orders
    return next;
  }

  close(): void {
    const p = this.proc;
    this.proc = undefined;
    p?.stdin.end();
    p?.kill();
  }

  private start(): ChildProcessWithoutNullStreams {
    const p = spawnPiped(['nft', '-i']);
    p.stdout.resume(); // nothing we need, but it must not fill up
    p.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      this.wake?.();
    });
    p.once('exit', () => {
      if (this.proc === p) this.proc = undefined;
      this.wake?.();
    });
    p.once('error', () => {
      if (this.proc === p) this.proc = undefined;
      this.wake?.();
    });
    // The proxy's lifetime is not tied to this helper.
    p.unref();
    for (const s of [p.stdin, p.stdout, p.stderr] as unknown as { unref?: () => void }[]) s.unref?.();
    return p;
  }

  private async runNow(script: string): Promise<void> {
    const p = (this.proc ??= this.start());
    const tag = `podnet-sync-${process.pid}-${++this.seq}`;
    this.stderr = '';
    const line = script.trim().split('\n').join('; ');
    p.stdin.write(`${line}\n${tag}\n`);
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      // Done once the sentinel's whole error (its line and the caret line under it) arrived.
      const at = this.stderr.search(new RegExp(`(?<=^|\\n)${tag}\\n\\s*\\^+\\n`));
      if (at >= 0) {
        // nft's error for the sentinel is "Error: ...\n<the command>": what precedes that Error line is ours.
        const before = this.stderr.slice(0, at);
        const own = before.slice(0, Math.max(0, before.lastIndexOf('Error:'))).trim();
        if (own) throw new Error(`nft: ${own}`);
        return;
      }
      if (this.proc !== p || Date.now() > deadline) {
        this.close();
        throw new Error(this.proc !== p ? 'nft -i exited' : `nft -i gave no answer in ${TIMEOUT_MS} ms`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}
