/**
 * The channel protocol of pods/exec over WebSocket (v5.channel.k8s.io and
 * v4.channel.k8s.io) as the browser speaks it: every message is one
 * channel byte then the payload. Pure.
 */

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
/** The Status the node writes when the command ends (v4 and v5). */
export const ERROR = 3;
const RESIZE = 4;

export const TERMINAL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

const encoder = new TextEncoder();

export function frame(channel: number, payload: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const body = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const out = new Uint8Array(body.length + 1);
  out[0] = channel;
  out.set(body, 1);
  return out;
}

export const stdinFrame = (text: string): Uint8Array<ArrayBuffer> => frame(STDIN, text);

/** kubectl's TerminalSize JSON on the resize channel. */
export const resizeFrame = (cols: number, rows: number): Uint8Array<ArrayBuffer> =>
  frame(RESIZE, JSON.stringify({ Width: cols, Height: rows }));

export function parseFrame(data: ArrayBuffer | Uint8Array): { channel: number; payload: Uint8Array } | undefined {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length === 0) return undefined;
  return { channel: bytes[0]!, payload: bytes.subarray(1) };
}

/** The token as a WebSocket sub-protocol (unpadded base64url of its UTF-8 bytes). */
export function bearerProtocol(token: string): string {
  let binary = '';
  for (const b of encoder.encode(token)) binary += String.fromCharCode(b);
  return BEARER_PROTOCOL_PREFIX + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An interactive shell: bash where the container has it, else sh, with a TERM xterm.js understands. */
const SHELL_COMMAND = [
  'sh',
  '-c',
  'TERM=xterm-256color; export TERM; command -v bash >/dev/null && exec bash || exec sh',
];

/** The pods/exec path and query of a terminal into a container. */
export function execPath(namespace: string, pod: string, container: string, command = SHELL_COMMAND): string {
  const q = new URLSearchParams({ container, stdin: 'true', stdout: 'true', stderr: 'true', tty: 'true' });
  for (const c of command) q.append('command', c);
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${q.toString()}`;
}

/** What a Status on the error channel says to a user, or undefined for success. */
export function statusMessage(payload: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(payload);
  try {
    const s = JSON.parse(text) as { status?: string; message?: string };
    return s.status === 'Success' ? undefined : (s.message ?? text);
  } catch {
    return text || undefined;
  }
}
