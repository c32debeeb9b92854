/**
 * Reading one container attempt's log: what is there (rotated copies first),
 * then, when following, what the shim appends until that attempt has exited
 * and everything it wrote is read. It follows the attempt it started on, so a
 * restart (a new attempt, a new file) ends the stream as the kubelet's does.
 * copytruncate rotation shows as a file shorter than what was read: reading
 * starts over at its beginning.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRecords, type LogRecord } from './cri-log.js';

const POLL_MS = 250;
const MAX_ROTATED = 5;

/** Every record written so far, oldest first, and how far into `log` that is. */
export async function readAll(dir: string): Promise<{ records: LogRecord[]; offset: number }> {
  const records: LogRecord[] = [];
  for (let i = MAX_ROTATED; i >= 1; i--) {
    const b = await readFile(join(dir, `log.${i}`)).catch(() => undefined); // not rotated that often (yet)
    if (b) records.push(...parseRecords(b).records);
  }
  const b = await readFile(join(dir, 'log')).catch(() => Buffer.alloc(0));
  const { records: current, consumed } = parseRecords(b);
  records.push(...current);
  return { records, offset: consumed };
}

interface Follower {
  stop(): void;
}

/**
 * Calls onRecords with each batch of new records from `offset` on; onEnd once
 * the attempt exited and its log is drained (or stop was called).
 */
export function follow(dir: string, offset: number, onRecords: (rs: LogRecord[]) => void, onEnd: () => void): Follower {
  const file = join(dir, 'log');
  let stopped = false;
  let reading = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(file, () => kick());
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined; // no inotify: polling alone
  }
  const finish = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    watcher?.close();
    onEnd();
  };
  const readMore = async (): Promise<boolean> => {
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size < offset) offset = 0; // truncated by rotation
    if (size === offset) return false;
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(size - offset, 4 << 20));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      const { records, consumed } = parseRecords(buf.subarray(0, bytesRead));
      offset += consumed;
      if (records.length && !stopped) onRecords(records);
      return consumed > 0;
    } finally {
      await fh.close();
    }
  };
  const tick = async () => {
    if (stopped) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        // Exit first, then read: whatever was written before the exit record is read below.
        const exited = existsSync(join(dir, 'exit'));
        while ((await readMore()) && !stopped);
        if (exited) return finish();
      } while (again && !stopped);
    } catch {
      return finish();
    } finally {
      reading = false;
    }
    if (!stopped) {
      clearTimeout(timer);
      timer = setTimeout(() => void tick(), POLL_MS);
    }
  };
  const kick = () => void tick();
  kick();
  return { stop: finish };
}
