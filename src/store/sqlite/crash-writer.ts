/**
 * Child process for crash.test.ts: opens the store at argv[2] and creates
 * keys without pause, a burst of concurrent creates every loop turn, printing
 * each key the moment its write is acknowledged. It never stops by itself;
 * the test kills it with SIGKILL.
 */
import { writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from './sqlite-store.js';

const BURST = 200;

/** The value the writer stores under key, so the test can check it. */
export function crashValue(key: string): string {
  return `value of ${key}`;
}

function main(path: string): void {
  const store = SqliteStore.open(path);
  let round = 0;
  const burst = () => {
    for (let i = 0; i < BURST; i++) {
      const key = `/crash/${round}/${i}`;
      store.create(key, crashValue(key)).then(
        // writeSync: the line is in the pipe before anything else happens.
        () => writeSync(1, `${key}\n`),
        (err: Error) => {
          writeSync(2, `create ${key} failed: ${err.message}\n`);
          process.exit(1);
        },
      );
    }
    round++;
    setImmediate(burst);
  };
  burst();
}

// Run only as a script, not when the test imports crashValue.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = process.argv[2];
  if (!path) {
    writeSync(2, 'usage: crash-writer.js <db path>\n');
    process.exit(2);
  }
  main(path);
}
