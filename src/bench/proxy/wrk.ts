/** wrk with a new connection per request (Connection: close), parsed. */
import { run } from '../../host/exec.js';
import { CLIENT_CPU, pinned } from './netns.js';

export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  socketErrors: number;
  non2xx: number;
}

/** `netns`: run wrk inside that network namespace instead of the caller's. */
export async function runWrk(url: string, seconds: number, connections: number, netns?: string): Promise<WrkResult> {
  const argv = [
    ...(netns ? ['ip', 'netns', 'exec', netns] : []),
    ...pinned(CLIENT_CPU),
    'wrk',
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '-H',
    'Connection: close',
    url,
  ];
  const r = await run(argv, { timeoutMs: (seconds + 30) * 1000 });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr || r.stdout}`);
  const num = (re: RegExp) => Number(re.exec(r.stdout)?.[1] ?? 0);
  const rps = num(/Requests\/sec:\s+([\d.]+)/);
  if (!rps) throw new Error(`wrk printed no rate:\n${r.stdout}`);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
  return {
    requestsPerSec: rps,
    requests: num(/(\d+) requests in/),
    socketErrors: errs
      ? errs
          .slice(1)
          .map(Number)
          .reduce((a, b) => a + b, 0)
      : 0,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
  };
}
