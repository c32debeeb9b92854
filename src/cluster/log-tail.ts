/** Reading the end of a log file: its last lines for error messages, what was appended since an offset. */
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

/** The file's size now (0 when it does not exist): an offset for readSince. */
export function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** What was appended to the file after `offset` (at most the last 64 KiB of it). */
export function readSince(path: string, offset: number): string {
  const size = fileSize(path);
  const from = Math.max(offset, size - 64 * 1024);
  if (size <= from) return '';
  const buf = Buffer.alloc(size - from);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}
