/**
 * The ImageTable the node agent holds: built-ins plus the user's table file,
 * re-read whenever the file changes so that an image added after an
 * ErrImagePull is picked up by the next retry, without restarting the agent.
 */
import { readFileSync, statSync } from 'node:fs';
import { detectHostFacts, isExecutable } from './host-facts.js';
import { resolveImage, type ResolverState } from './resolve.js';
import type { ImageRequest, ImageResolution, ImageTable } from './types.js';
import { parseUserTable, type UserEntry } from './user-table.js';

/** What a table file holds right now: entries, missing, or an error. */
type FileRead = { kind: 'missing' } | { kind: 'ok'; entries: UserEntry[] } | { kind: 'bad'; message: string };

function readTableFile(path: string): FileRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'bad', message: `${path}: cannot read the image table: ${(e as Error).message}` };
  }
  const parsed = parseUserTable(text, path);
  return parsed.ok ? { kind: 'ok', entries: parsed.entries } : { kind: 'bad', message: parsed.message };
}

/** mtime+size+inode: changes on every edit, including editors that replace the file. */
const fileStamp = (path: string): string => {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
};

class ReloadingImageTable implements ImageTable {
  private stamp: string;
  private state: ResolverState;

  constructor(private readonly path: string | undefined) {
    this.state = { userEntries: [], facts: detectHostFacts(), isExecutable, ...(path ? { userTablePath: path } : {}) };
    this.stamp = path ? fileStamp(path) : 'none';
    if (!path) return;
    const first = readTableFile(path);
    // At startup a broken table is fatal: the operator is there to fix it.
    if (first.kind === 'bad') throw new Error(first.message);
    if (first.kind === 'ok') this.state.userEntries = first.entries;
  }

  private refresh(): void {
    if (!this.path) return;
    const stamp = fileStamp(this.path);
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    const read = readTableFile(this.path);
    // Later, a broken edit keeps the last good entries; the error shows up in "not found" messages.
    if (read.kind === 'bad') {
      this.state = { ...this.state, userTableProblem: read.message };
      process.emitWarning(read.message, { code: 'PODNET_IMAGE_TABLE' });
      return;
    }
    const { userTableProblem: _fixed, ...rest } = this.state;
    this.state = { ...rest, userEntries: read.kind === 'ok' ? read.entries : [] };
  }

  resolve(req: ImageRequest): ImageResolution {
    this.refresh();
    return resolveImage(this.state, req);
  }
}

/**
 * Loads the image table: built-ins plus userTablePath (or $PODNET_IMAGES).
 * A missing file is an empty table; a malformed one throws naming file:line:col.
 */
export function loadImageTable(opts: { userTablePath?: string }): ImageTable {
  const path = opts.userTablePath ?? (process.env.PODNET_IMAGES || undefined);
  return new ReloadingImageTable(path);
}
