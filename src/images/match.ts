/**
 * Which table entry serves an image reference. A key names a repository and
 * optionally a tag, a tag glob or a digest; the most specific match wins.
 * Pure.
 */
import { effectiveTag, parseImageRef, type ImageRef } from './reference.js';

export interface ImagePattern {
  /** The key as written, for messages. */
  text: string;
  ref: ImageRef;
}

/** Parses a table key: "repo" or "repo:*" (any tag or digest), "repo:1.*" (tag glob), "repo:1.25", "repo@sha256:…". */
export function parsePattern(text: string): { ok: true; pattern: ImagePattern } | { ok: false; message: string } {
  const parsed = parseImageRef(text, { allowTagPattern: true });
  if (!parsed.ok) return parsed;
  if (parsed.ref.tag !== undefined && parsed.ref.digest !== undefined) {
    return { ok: false, message: `table key ${JSON.stringify(text)} names both a tag and a digest; use one` };
  }
  return { ok: true, pattern: { text, ref: parsed.ref } };
}

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*')}$`,
  );

/**
 * How specifically a pattern matches a reference, or undefined for no match.
 * digest (3) > exact tag (2) > tag glob (1 + literal share) > any tag (0).
 */
export function matchScore(pattern: ImageRef, ref: ImageRef): number | undefined {
  if (pattern.name !== ref.name) return undefined;
  if (pattern.digest !== undefined) return pattern.digest === ref.digest ? 3 : undefined;
  const tag = pattern.tag;
  if (tag === undefined || tag === '*') return 0;
  const wanted = effectiveTag(ref);
  if (wanted === undefined) return undefined;
  if (!tag.includes('*')) return tag === wanted ? 2 : undefined;
  return globToRegExp(tag).test(wanted) ? 1 + tag.replaceAll('*', '').length / 1000 : undefined;
}

/** The best-matching entry, first one on ties (so earlier lines of a table win). */
export function bestMatch<T extends { patterns: ImagePattern[] }>(entries: T[], ref: ImageRef): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const e of entries) {
    for (const p of e.patterns) {
      const s = matchScore(p.ref, ref);
      if (s !== undefined && s > bestScore) {
        best = e;
        bestScore = s;
      }
    }
  }
  return best;
}
