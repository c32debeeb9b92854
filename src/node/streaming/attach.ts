/**
 * attach: the running container's own stdio, through its shim. Output is
 * what the shim appends to the attempt's log from now on (records carry
 * their stream, so stdout and stderr stay apart); input goes into the shim's
 * stdin fifo and resizes into its ctl fifo. Both fifos belong to the shim,
 * so attach works the same after an agent restart. stdinOnce closes the
 * container's stdin when the first attached client leaves.
 */
import { createWriteStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { successStatus } from '../../streaming/status.js';
import type { CommandIO } from './command-io.js';
import { whenWritable } from './flow.js';
import { follow, readAll } from './log-follow.js';

interface AttachTarget {
  /** The attempt's directory (log, exit, stdin and ctl fifos). */
  dir: string;
  /** The container spec's stdin / stdinOnce / tty. */
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
}

export async function runAttach(io: CommandIO, t: AttachTarget): Promise<void> {
  const { offset } = await readAll(t.dir);
  const ctl = (line: string) =>
    appendFile(join(t.dir, 'ctl'), `${line}\n`).catch(() => {
      /* the shim is gone with its container; the session ends with it */
    });
  const input = io.opts.stdin && t.stdin ? createWriteStream(join(t.dir, 'stdin'), { flags: 'a' }) : undefined;
  input?.on('error', () => input.destroy());
  io.input((b) => {
    if (b) {
      if (input?.writable && !input.write(b)) whenWritable(input, io.hold());
      return;
    }
    // The client's stdin ended: with stdinOnce so does the container's (the kubelet's rule),
    // once everything it sent is in the fifo.
    input?.end(() => {
      if (t.stdinOnce) void ctl('close-stdin');
    });
  });
  const resize = (s: { width: number; height: number }) => {
    if (t.tty) void ctl(`resize ${s.height} ${s.width}`);
  };
  if (io.size) resize(io.size);
  io.on('resize', resize);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    if (!input) return;
    input.end(() => {
      if (t.stdinOnce) void ctl('close-stdin');
    });
  };
  const f = follow(
    t.dir,
    offset,
    (rs) => {
      for (const r of rs) {
        const b = r.partial ? r.text : Buffer.concat([r.text, Buffer.from('\n')]);
        if (r.stream === 'stderr' && !t.tty) io.writeStderr(b);
        else io.writeStdout(b);
      }
    },
    () => {
      // The container exited (or the client left): the session is over.
      end();
      io.finish(successStatus());
    },
  );
  io.on('close', () => {
    end();
    f.stop();
  });
}
