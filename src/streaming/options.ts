/**
 * The query parameters of the streaming subresources (pure): as the API
 * server receives them from clients (PodExecOptions, PodAttachOptions,
 * PodLogOptions, PodPortForwardOptions) and as it hands them to the node
 * agent in the kubelet's URL shape (input=1, output=1, error=1, tty=1;
 * `ports` becomes `port`).
 */
import { fieldError, type FieldError } from '../api/errors.js';

/** kube's query bool: absent is false; "0" or "false" (any case) is false; anything else, even "", is true. */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  const l = v.toLowerCase();
  return l !== '0' && l !== 'false';
}

export interface CommandOptions {
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** PodExecOptions / PodAttachOptions from a client's query. */
export function parseClientCommand(q: URLSearchParams): CommandOptions {
  return {
    container: q.get('container') ?? '',
    command: q.getAll('command'),
    stdin: queryBool(q, 'stdin'),
    stdout: queryBool(q, 'stdout'),
    stderr: queryBool(q, 'stderr'),
    tty: queryBool(q, 'tty'),
  };
}

/** The kubelet's query for /exec and /attach (container is in the path). */
export function nodeCommandQuery(o: CommandOptions): URLSearchParams {
  const q = new URLSearchParams();
  for (const c of o.command) q.append('command', c);
  if (o.stdin) q.set('input', '1');
  if (o.stdout) q.set('output', '1');
  if (o.stderr) q.set('error', '1');
  if (o.tty) q.set('tty', '1');
  return q;
}

/**
 * What the node agent runs: the kubelet's query. With a tty there is no
 * separate stderr (it is merged into the terminal), as the kubelet does.
 */
export function parseNodeCommand(q: URLSearchParams, container: string): CommandOptions | { error: string } {
  const o: CommandOptions = {
    container,
    command: q.getAll('command'),
    stdin: queryBool(q, 'input'),
    stdout: queryBool(q, 'output'),
    stderr: queryBool(q, 'error'),
    tty: queryBool(q, 'tty'),
  };
  if (o.tty) o.stderr = false;
  if (!o.stdin && !o.stdout && !o.stderr) return { error: 'you must specify at least 1 of stdin, stdout, stderr' };
  return o;
}

export interface LogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  /** RFC 3339, as given. */
  sinceTime?: string;
}

const INT = /^-?\d+$/;

/**
 * PodLogOptions from a query, validated as kube validates it; field errors
 * become 422 "PodLogOptions "P" is invalid: ...". A value that is not a number
 * at all is a 400, as kube's query decoder reports it.
 */
export function parseLogOptions(q: URLSearchParams): { options: LogOptions; errors: FieldError[] } | { bad: string } {
  const ints: Partial<Record<'tailLines' | 'limitBytes' | 'sinceSeconds', number>> = {};
  for (const name of ['tailLines', 'limitBytes', 'sinceSeconds'] as const) {
    const v = q.get(name);
    if (v === null || v === '') continue;
    if (!INT.test(v))
      return { bad: `invalid value "${v}" for ${name}: strconv.ParseInt: parsing "${v}": invalid syntax` };
    ints[name] = Number(v);
  }
  const sinceTime = q.get('sinceTime') || undefined;
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime)))
    return { bad: `parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}"` };
  const options: LogOptions = {
    container: q.get('container') ?? '',
    follow: queryBool(q, 'follow'),
    previous: queryBool(q, 'previous'),
    timestamps: queryBool(q, 'timestamps'),
    ...ints,
    ...(sinceTime !== undefined ? { sinceTime } : {}),
  };
  const errors: FieldError[] = [];
  if (options.tailLines !== undefined && options.tailLines < 0)
    errors.push(fieldError.invalid('tailLines', options.tailLines, 'must be greater than or equal to 0'));
  if (options.limitBytes !== undefined && options.limitBytes < 1)
    errors.push(fieldError.invalid('limitBytes', options.limitBytes, 'must be greater than 0'));
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined)
    errors.push(fieldError.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (options.sinceSeconds !== undefined && options.sinceSeconds < 1)
    errors.push(fieldError.invalid('sinceSeconds', options.sinceSeconds, 'must be greater than 0'));
  return { options, errors };
}

/** The kubelet's /containerLogs query. */
export function nodeLogQuery(o: LogOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (o.follow) q.set('follow', 'true');
  if (o.previous) q.set('previous', 'true');
  if (o.timestamps) q.set('timestamps', 'true');
  if (o.tailLines !== undefined) q.set('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) q.set('limitBytes', String(o.limitBytes));
  if (o.sinceSeconds !== undefined) q.set('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined) q.set('sinceTime', o.sinceTime);
  return q;
}

/**
 * Ports of a port-forward request: `ports` from clients (repeated or
 * comma-separated), `port` in the kubelet's URL. Empty is allowed: kubectl
 * names its ports in the SPDY stream headers instead.
 */
export function parsePorts(values: string[]): number[] | { error: string } {
  const out: number[] = [];
  for (const v of values.flatMap((s) => s.split(','))) {
    const t = v.trim();
    if (!t) continue;
    const n = Number(t);
    if (!/^\d+$/.test(t) || n < 1 || n > 65535) return { error: `invalid port "${t}": must be between 1 and 65535` };
    out.push(n);
  }
  return out;
}

/** `port` header of a port-forward stream: kubelet's wording for the errors. */
export function parseStreamPort(value: string | undefined): number | { error: string } {
  if (value === undefined || value === '') return { error: '"port" header is required' };
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) return { error: `unable to parse "${value}" as a port` };
  return n;
}
