/**
 * /containerLogs/{ns}/{pod}/{container}: the kubelet's log endpoint, plain
 * text, chunked while following.
 */
import type { ServerResponse } from 'node:http';
import { parseLogOptions, type LogOptions } from '../../streaming/options.js';
import { ByteLimit, renderRecord, selectRecords, sinceCutoff, type LogRecord } from './cri-log.js';
import { follow, readAll } from './log-follow.js';

export function logOptionsFromQuery(q: URLSearchParams): LogOptions | string {
  const r = parseLogOptions(q);
  if ('bad' in r) return r.bad;
  return r.options;
}

/** Streams an attempt's log into res; ends it when done (or when res closes). */
export async function serveLogs(res: ServerResponse, dir: string, o: LogOptions): Promise<void> {
  const { records, offset } = await readAll(dir);
  const since = sinceCutoff(o, Date.now());
  const limit = new ByteLimit(o.limitBytes);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
  const write = (rs: LogRecord[]): boolean => {
    const parts: Buffer[] = [];
    for (const r of rs) {
      if (limit.exhausted) break;
      parts.push(limit.take(renderRecord(r, o.timestamps)));
    }
    if (parts.length) res.write(Buffer.concat(parts));
    return !limit.exhausted;
  };
  if (!write(selectRecords(records, { since, tailLines: o.tailLines, timestamps: o.timestamps })) || !o.follow) {
    res.end();
    return;
  }
  res.flushHeaders();
  const f = follow(
    dir,
    offset,
    (rs) => {
      if (!write(since ? selectRecords(rs, { since, timestamps: o.timestamps }) : rs)) f.stop();
    },
    () => res.end(),
  );
  res.on('close', () => f.stop());
}
