/**
 * A terminal into a container: xterm.js on a pods/exec WebSocket. Keys go
 * out on stdin, stdout and stderr come in, the size follows the panel, and
 * the Status at the end (or the refusal) is printed in the terminal.
 */
import type { Terminal as XTerm } from '@xterm/xterm';
import type { Api } from './api.js';
import { ERROR, execPath, parseFrame, resizeFrame, statusMessage, stdinFrame, STDERR, STDOUT } from './channel.js';

type TerminalModule = typeof import('@xterm/xterm');

/** xterm.js as the console serves it from node_modules (loaded on the first terminal). */
const XTERM_URL: string = '/vendor/xterm.mjs';
let xterm: Promise<TerminalModule> | undefined;
const loadXterm = (): Promise<TerminalModule> => (xterm ??= import(XTERM_URL) as Promise<TerminalModule>);

const FONT_SIZE = 14;
const FONT = '"DejaVu Sans Mono", "Liberation Mono", monospace';

/** Columns and rows that fit the element, from the width of the terminal's font. */
function fit(host: HTMLElement): { cols: number; rows: number } {
  const probe = document.createElement('span');
  probe.style.cssText = `font: ${FONT_SIZE}px ${FONT}; position: absolute; visibility: hidden; white-space: pre`;
  probe.textContent = 'W'.repeat(50);
  document.body.append(probe);
  const charW = probe.getBoundingClientRect().width / 50 || FONT_SIZE * 0.6;
  probe.remove();
  const lineH = Math.ceil(FONT_SIZE * 1.2);
  return {
    cols: Math.max(20, Math.floor((host.clientWidth - 16) / charW)),
    rows: Math.max(5, Math.floor((host.clientHeight - 8) / lineH)),
  };
}

export interface OpenTerminal {
  close(): void;
}

export async function openTerminal(
  api: Api,
  host: HTMLElement,
  target: { namespace: string; pod: string; container: string },
  onEnd: (message: string) => void,
): Promise<OpenTerminal> {
  const { Terminal } = await loadXterm();
  const term: XTerm = new Terminal({ cursorBlink: true, fontSize: FONT_SIZE, fontFamily: FONT, scrollback: 5000 });
  host.replaceChildren();
  term.open(host);
  const size = fit(host);
  term.resize(size.cols, size.rows);
  term.focus();

  const ws = api.terminal(execPath(target.namespace, target.pod, target.container));
  let ended = false;
  const end = (message: string) => {
    if (ended) return;
    ended = true;
    term.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`);
    onEnd(message);
  };
  ws.onopen = () => ws.send(resizeFrame(term.cols, term.rows));
  ws.onmessage = (m: MessageEvent<ArrayBuffer | string>) => {
    const f = typeof m.data === 'string' ? undefined : parseFrame(m.data);
    if (!f) return;
    if (f.channel === STDOUT || f.channel === STDERR) term.write(f.payload);
    else if (f.channel === ERROR) {
      const problem = statusMessage(f.payload);
      end(problem ? `ended: ${problem}` : 'session ended');
    }
  };
  ws.onclose = (e) =>
    end(
      e.code === 1000 || e.code === 1005
        ? 'session ended'
        : `connection closed (${e.code}${e.reason ? `: ${e.reason}` : ''})`,
    );
  ws.onerror = () => end('the console refused or lost the terminal (is the pod running? is the token still valid?)');
  const input = term.onData((d) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(stdinFrame(d));
  });
  const binaryInput = term.onBinary((d) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const bytes = Uint8Array.from(d, (ch) => ch.charCodeAt(0) & 0xff);
    const out = new Uint8Array(bytes.length + 1);
    out.set(bytes, 1);
    ws.send(out);
  });
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  const onResize = () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      const s = fit(host);
      if (s.cols === term.cols && s.rows === term.rows) return;
      term.resize(s.cols, s.rows);
      if (ws.readyState === WebSocket.OPEN) ws.send(resizeFrame(s.cols, s.rows));
    }, 100);
  };
  window.addEventListener('resize', onResize);
  return {
    close() {
      window.removeEventListener('resize', onResize);
      input.dispose();
      binaryInput.dispose();
      ended = true;
      ws.close();
      term.dispose();
    },
  };
}
