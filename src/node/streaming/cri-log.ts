/**
 * Container logs in the CRI format the shim writes (pure): one record per
 * line, "<RFC3339Nano> <stdout|stderr> <F|P> <text>", P for a piece of a line
 * whose newline has not come yet. This file turns records into what
 * `kubectl logs` prints: since / tail / timestamps / limitBytes applied the
 * way the kubelet applies them.
 */

export interface LogRecord {
  /** Fixed 9-digit RFC3339Nano in UTC, e.g. 2024-01-01T00:00:00.123456789Z (sorts as text). */
  time: string;
  stream: 'stdout' | 'stderr';
  /** True for P (no newline after text). */
  partial: boolean;
  text: Buffer;
}

const SP = 0x20;

/**
 * Parses whole lines; returns the records and the offset just past the last
 * whole line (a trailing piece without newline waits for more bytes). A line
 * not in the format (a log written before records existed) is one stdout
 * line at time `fallbackTime`.
 */
export function parseRecords(buf: Buffer, fallbackTime = ''): { records: LogRecord[]; consumed: number } {
  const records: LogRecord[] = [];
  let off = 0;
  for (;;) {
    const nl = buf.indexOf(0x0a, off);
    if (nl < 0) break;
    records.push(parseLine(buf.subarray(off, nl), fallbackTime));
    off = nl + 1;
  }
  return { records, consumed: off };
}

function parseLine(line: Buffer, fallbackTime: string): LogRecord {
  const s1 = line.indexOf(SP);
  const s2 = s1 < 0 ? -1 : line.indexOf(SP, s1 + 1);
  const s3 = s2 < 0 ? -1 : line.indexOf(SP, s2 + 1);
  if (s3 > 0) {
    const stream = line.toString('latin1', s1 + 1, s2);
    const tag = line.toString('latin1', s2 + 1, s3);
    const time = normalizeTime(line.toString('latin1', 0, s1));
    if ((stream === 'stdout' || stream === 'stderr') && (tag === 'F' || tag === 'P') && time)
      return { time, stream, partial: tag === 'P', text: line.subarray(s3 + 1) };
  }
  return { time: fallbackTime, stream: 'stdout', partial: false, text: line };
}

/** Any RFC 3339 time to the fixed 9-digit UTC form; undefined when it is not one. */
export function normalizeTime(t: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(t);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  if (m[3] === 'Z') return `${m[1]}.${frac}Z`;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** The cut-off of sinceSeconds / sinceTime as a comparable time, or undefined for none. */
export function sinceCutoff(o: { sinceSeconds?: number; sinceTime?: string }, nowMs: number): string | undefined {
  if (o.sinceSeconds !== undefined) return normalizeTime(new Date(nowMs - o.sinceSeconds * 1000).toISOString());
  if (o.sinceTime !== undefined) return normalizeTime(o.sinceTime);
  return undefined;
}

interface Selection {
  /** Records at or after this time (normalized). */
  since?: string;
  tailLines?: number;
  timestamps: boolean;
}

/** Records kept by since, then the last tailLines of them (the kubelet counts records). */
export function selectRecords(records: LogRecord[], sel: Selection): LogRecord[] {
  let out = sel.since ? records.filter((r) => r.time === '' || r.time >= sel.since!) : records;
  if (sel.tailLines !== undefined) out = sel.tailLines === 0 ? [] : out.slice(-sel.tailLines);
  return out;
}

/** What a record prints as: optional timestamp and a space, the text, a newline unless partial. */
export function renderRecord(r: LogRecord, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${r.time || '0001-01-01T00:00:00.000000000Z'} `));
  parts.push(r.text);
  if (!r.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** Caps output at limitBytes across calls (the last piece may be cut mid-line, as the kubelet does). */
export class ByteLimit {
  private left: number;
  constructor(limit: number | undefined) {
    this.left = limit ?? Infinity;
  }
  get exhausted(): boolean {
    return this.left <= 0;
  }
  take(b: Buffer): Buffer {
    if (this.left === Infinity) return b;
    const out = b.length <= this.left ? b : b.subarray(0, this.left);
    this.left -= out.length;
    return out;
  }
}
