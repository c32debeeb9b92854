/** How busy the shared machine is before a measurement. */
import { readFileSync } from 'node:fs';
import { parseHostStat } from '../apiserver/cpu-usage.js';

/** Busy cores on the host over `ms` (what else is running before a measurement). */
export async function backgroundCores(ms = 2000): Promise<number> {
  const a = parseHostStat(readFileSync('/proc/stat', 'utf8'));
  await new Promise((r) => setTimeout(r, ms));
  const b = parseHostStat(readFileSync('/proc/stat', 'utf8'));
  return (b - a) / (ms / 1000);
}
