/** The last lines of a log file, for error messages. */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export function tailFile(path: string, lines = 20): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  const size = statSync(path).size;
  const len = Math.min(size, 64 * 1024);
  const buf = Buffer.alloc(len);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  return buf
    .toString('utf8')
    .split('\n')
    .filter((l, i, a) => l !== '' || i < a.length - 1)
    .slice(-lines)
    .join('\n');
}

export const indent = (text: string, by = '    '): string =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
