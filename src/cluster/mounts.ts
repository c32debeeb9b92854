/** Finding mounts below a directory in /proc/self/mountinfo. Pure except readMountPoints. */
import { readFileSync } from 'node:fs';

/** Mount points (field 5) of mountinfo text, with the kernel's octal escapes (\040 for space) undone. */
export function parseMountinfo(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4] ?? '')
    .filter(Boolean)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Mount points at or below dir, deepest first (so children are unmounted before parents), repeats kept for stacked mounts. */
export function mountsUnder(points: readonly string[], dir: string): string[] {
  const base = dir.replace(/\/+$/, '');
  return points.filter((p) => p === base || p.startsWith(`${base}/`)).sort((a, b) => b.length - a.length);
}

export const readMountPoints = (): string[] => parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
