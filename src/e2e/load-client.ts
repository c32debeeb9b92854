/**
 * A steady HTTP load for rollout tests, run inside a node's or a pod's
 * network namespace: `node load-client.js URL [CONCURRENCY]`. Every request
 * is a new connection (no keep-alive), so each one goes through the
 * service proxy's rules and, for a name, through cluster DNS. It runs until
 * its stdin closes, then prints one JSON line: {ok, failed, errors}.
 */
import { get } from 'node:http';

const url = process.argv[2];
const concurrency = Number(process.argv[3] ?? '4');
if (!url) {
  process.stderr.write('usage: load-client URL [CONCURRENCY]\n');
  process.exit(2);
}

let ok = 0;
let failed = 0;
const errors: Record<string, number> = {};
let stopping = false;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const fail = (why: string) => {
      failed += 1;
      errors[why] = (errors[why] ?? 0) + 1;
      resolve();
    };
    const req = get(url!, { agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? ((ok += 1), resolve()) : fail(`HTTP ${res.statusCode}`)));
      res.on('error', (e) => fail(e.message));
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 3 s')));
    req.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
  });
}

async function worker(): Promise<void> {
  while (!stopping) await once();
}

process.stdin.on('end', () => (stopping = true));
process.stdin.on('close', () => (stopping = true));
process.stdin.resume();
const workers = Array.from({ length: concurrency }, () => worker());
await Promise.all(workers);
process.stdout.write(`${JSON.stringify({ ok, failed, errors })}\n`);
