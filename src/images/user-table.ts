/**
 * The user-editable image table: a YAML (or JSON) file mapping image
 * references to programs on the node. Parsing is pure; every error names the
 * file, line and column, and says what to write instead.
 *
 *   images:
 *     - image: example.com/shop/web:*      # any tag; or :1.2, :1.*, @sha256:…
 *       entrypoint: [/usr/bin/python3, -m, http.server]
 *       cmd: ["8000"]
 *       env: {PYTHONUNBUFFERED: "1"}
 *       workingDir: /srv/www
 *     - image: myregistry.local/agnhost    # reuse a built-in program
 *       builtin: agnhost
 */
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { builtinById, BUILTIN_IMAGES } from './builtins/index.js';
import { parsePattern, type ImagePattern } from './match.js';

export interface UserEntry {
  patterns: ImagePattern[];
  /** file:line, for messages. */
  source: string;
  builtin?: string;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  workingDir?: string;
}

type UserTableResult = { ok: true; entries: UserEntry[] } | { ok: false; message: string };

const ENTRY_KEYS = ['image', 'entrypoint', 'cmd', 'env', 'workingDir', 'builtin'];
/** Keys people write from habit, and what they mean here. */
const HINTS: Record<string, string> = {
  command: 'the table describes the image, so use "entrypoint" (a pod\'s command replaces it)',
  args: 'the table describes the image, so use "cmd" (a pod\'s args replace it)',
  workdir: 'use "workingDir"',
  working_dir: 'use "workingDir"',
  name: 'use "image"',
};

class TableError extends Error {}

/** Parses the table text; file is only used in messages. */
export function parseUserTable(text: string, file: string): UserTableResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined): string => {
    const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
    return pos ? `${file}:${pos.line}:${pos.col}` : file;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    return { ok: false, message: `${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split('\n')[0]}` };
  }
  const fail = (node: Node | null | undefined, msg: string): never => {
    throw new TableError(`${at(node)}: ${msg}`);
  };
  try {
    const root = doc.contents;
    if (root === null || (isScalar(root) && (root.value === null || root.value === '')))
      return { ok: true, entries: [] };
    if (!isMap(root))
      fail(
        root,
        'the image table must be a mapping with an "images" list (see the example at the top of src/images/user-table.ts)',
      );
    const entries: UserEntry[] = [];
    const seen = new Map<string, string>();
    for (const pair of (root as YAMLMap).items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key !== 'images')
        fail(pair.key as Node, `unknown top-level key ${JSON.stringify(key)}; the table has one key, "images"`);
      const list = pair.value as Node | null;
      if (list === null || (isScalar(list) && list.value === null)) continue;
      if (!isSeq(list)) fail(list, '"images" must be a list of entries, each starting with "- image: <reference>"');
      for (const item of (list as YAMLSeq).items as Node[]) {
        const entry = parseEntry(item, at, fail);
        for (const p of entry.patterns) {
          const canonical = `${p.ref.name}${p.ref.tag ? `:${p.ref.tag}` : ''}${p.ref.digest ? `@${p.ref.digest}` : ''}`;
          const earlier = seen.get(canonical);
          if (earlier) fail(item, `image ${JSON.stringify(p.text)} is already listed at ${earlier}; keep one entry`);
          seen.set(canonical, entry.source);
        }
        entries.push(entry);
      }
    }
    return { ok: true, entries };
  } catch (e) {
    if (e instanceof TableError) return { ok: false, message: e.message };
    throw e;
  }
}

function parseEntry(
  item: Node,
  at: (n: Node | null | undefined) => string,
  fail: (n: Node | null | undefined, msg: string) => never,
): UserEntry {
  if (!isMap(item))
    fail(
      item,
      'each entry must be a mapping like "- image: example.com/app:*" with entrypoint/cmd/env/workingDir or builtin',
    );
  const map = item;
  const field = (name: string): Node | undefined =>
    map.items.find((p) => isScalar(p.key) && p.key.value === name)?.value as Node | undefined;
  for (const p of map.items) {
    const k = isScalar(p.key) ? String(p.key.value) : '';
    if (!ENTRY_KEYS.includes(k))
      fail(
        p.key as Node,
        `unknown key ${JSON.stringify(k)}${HINTS[k] ? `: ${HINTS[k]}` : ''}; allowed keys: ${ENTRY_KEYS.join(', ')}`,
      );
  }
  const imageNode = field('image');
  if (!imageNode || !isScalar(imageNode) || typeof imageNode.value !== 'string' || imageNode.value === '') {
    fail(
      imageNode ?? item,
      'each entry needs "image: <reference>" (e.g. example.com/app:1.2, example.com/app:* or example.com/app@sha256:…)',
    );
  }
  const imageText = (imageNode as Scalar<string>).value;
  const parsed = parsePattern(imageText);
  if (!parsed.ok) fail(imageNode, parsed.message);
  const entry: UserEntry = {
    patterns: [(parsed as { pattern: ImagePattern }).pattern],
    source: at(item),
    entrypoint: [],
    cmd: [],
    env: {},
  };

  const stringList = (name: 'entrypoint' | 'cmd'): string[] => {
    const node = field(name);
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) fail(node, `"${name}" must be a list of strings, e.g. ${name}: [/usr/bin/app, --flag]`);
    return (node.items as Node[]).map((n) => {
      if (!isScalar(n) || !['string', 'number', 'boolean'].includes(typeof n.value))
        fail(n, `"${name}" items must be strings`);
      return String(n.value);
    });
  };
  entry.entrypoint = stringList('entrypoint');
  entry.cmd = stringList('cmd');

  const envNode = field('env');
  if (envNode !== undefined && !(isScalar(envNode) && envNode.value === null)) {
    if (!isMap(envNode)) fail(envNode, '"env" must be a mapping of NAME: value');
    for (const p of envNode.items) {
      const k = isScalar(p.key) ? String(p.key.value) : '';
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k))
        fail(p.key as Node, `bad environment variable name ${JSON.stringify(k)}`);
      const v = p.value as Node | null;
      const value = isScalar(v) ? v.value : null;
      if (
        typeof value !== 'string' &&
        typeof value !== 'number' &&
        typeof value !== 'boolean' &&
        typeof value !== 'bigint'
      )
        fail(v ?? (p.key as Node), `env ${k} must be a string value`);
      entry.env[k] = String(value);
    }
  }

  const wd = field('workingDir');
  if (wd !== undefined) {
    if (!isScalar(wd) || typeof wd.value !== 'string' || !wd.value.startsWith('/'))
      fail(wd, '"workingDir" must be an absolute path');
    entry.workingDir = (wd as Scalar<string>).value;
  }

  const b = field('builtin');
  if (b !== undefined) {
    const id = isScalar(b) ? String(b.value) : '';
    if (!builtinById(id))
      fail(
        b,
        `unknown builtin ${JSON.stringify(id)}; built-in images are: ${BUILTIN_IMAGES.map((x) => x.id).join(', ')}`,
      );
    if (entry.entrypoint.length > 0 || entry.cmd.length > 0)
      fail(b, '"builtin" reuses a built-in image\'s program; drop entrypoint/cmd or drop builtin');
    entry.builtin = id;
  } else if (entry.entrypoint.length === 0 && entry.cmd.length === 0) {
    fail(
      item,
      `image ${JSON.stringify(imageText)} needs "entrypoint" and/or "cmd" (the program to run, e.g. entrypoint: [/usr/bin/app]) or "builtin: <name>"`,
    );
  }
  return entry;
}
