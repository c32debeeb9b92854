/** Runnable entry (`node dist/cli/main-entry.js ARGS`): what pods of image podnet/podnet execute. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
