/**
 * Image resolution: reference → table entry → image config → container
 * command line. Pure: the table, node facts and the executable check come in
 * as arguments; writing the generated files is the caller's job.
 */
import { posix } from 'node:path';
import { absoluteArgv } from './argv0.js';
import { BUILTIN_IMAGES, builtinById } from './builtins/index.js';
import { STANDARD_PATH, type HostFacts, type SpecResult } from './builtins/types.js';
import { containerArgv } from './command.js';
import { bestMatch, parsePattern } from './match.js';
import { parseImageRef } from './reference.js';
import type { ImageRequest, ImageResolution } from './types.js';
import type { UserEntry } from './user-table.js';

export interface ResolverState {
  userEntries: UserEntry[];
  facts: HostFacts;
  isExecutable: (path: string) => boolean;
  /** Where users add images (named in "not found" messages). */
  userTablePath?: string;
  /** Why the user table currently fails to load, if it does (the last good version stays in use). */
  userTableProblem?: string;
}

const builtinEntries = BUILTIN_IMAGES.map((b) => ({
  builtin: b,
  patterns: b.patterns.map((p) => {
    const parsed = parsePattern(p);
    if (!parsed.ok) throw new Error(`built-in image pattern ${p}: ${parsed.message}`);
    return parsed.pattern;
  }),
}));

function specFromUserEntry(e: UserEntry, facts: HostFacts, c: { dataDir: string; hostname: string }): SpecResult {
  if (e.builtin) {
    const built = builtinById(e.builtin)!.build(facts, c);
    if (!built.ok) return built;
    const spec = { ...built.spec, env: { ...built.spec.env, ...e.env } };
    if (e.workingDir) spec.workingDir = e.workingDir;
    return { ok: true, spec };
  }
  const spec = { entrypoint: e.entrypoint, cmd: e.cmd, env: { PATH: STANDARD_PATH, ...e.env }, files: [], aliases: {} };
  return { ok: true, spec: e.workingDir ? { ...spec, workingDir: e.workingDir } : spec };
}

function unknownImageMessage(image: string, s: ResolverState): string {
  const where = s.userTablePath
    ? `add it to ${s.userTablePath}`
    : 'add it to an image table file (set PODNET_IMAGES=<file> or use <stateDir>/images.yaml)';
  const example = `images: [{image: "${image}", entrypoint: [/absolute/path/to/program]}]`;
  const problem = s.userTableProblem ? ` Note: the image table currently fails to load: ${s.userTableProblem}` : '';
  return `image "${image}" is not in podnet's image table (no registry is reachable: every image maps to a program on the node); ${where}, e.g. ${example}, or use a built-in image: ${BUILTIN_IMAGES.map((b) => b.id).join(', ')}.${problem}`;
}

export function resolveImage(s: ResolverState, req: ImageRequest): ImageResolution {
  const parsed = parseImageRef(req.image);
  if (!parsed.ok)
    return {
      ok: false,
      reason: 'InvalidImageName',
      message: `Failed to apply default image tag ${JSON.stringify(req.image)}: ${parsed.message}`,
    };
  if (!posix.isAbsolute(req.dataDir))
    throw new Error(`ImageRequest.dataDir must be absolute, got ${JSON.stringify(req.dataDir)}`);
  const container = { dataDir: posix.normalize(req.dataDir), hostname: req.hostname };

  // The user's table overrides built-ins, whatever their specificity.
  const user = bestMatch(s.userEntries, parsed.ref);
  const builtin = user ? undefined : bestMatch(builtinEntries, parsed.ref);
  if (!user && !builtin) return { ok: false, reason: 'ErrImagePull', message: unknownImageMessage(req.image, s) };
  const spec = user ? specFromUserEntry(user, s.facts, container) : builtin!.builtin.build(s.facts, container);
  if (!spec.ok) return { ok: false, reason: 'ErrImagePull', message: `image "${req.image}": ${spec.message}` };

  const { entrypoint, cmd, env, workingDir, files, aliases, hostPaths } = spec.spec;
  const argv = absoluteArgv(containerArgv({ entrypoint, cmd }, req.command, req.args), {
    aliases,
    pathEnv: env.PATH ?? STANDARD_PATH,
    ...(workingDir ? { workingDir } : {}),
    isExecutable: s.isExecutable,
  });
  if (!argv.ok)
    return {
      ok: false,
      reason: 'ErrImagePull',
      message: `image "${req.image}"${user ? ` (from ${user.source})` : ''}: ${argv.message}`,
    };

  const outside = files.find((f) => !f.path.startsWith(`${container.dataDir}/`));
  if (outside)
    throw new Error(`image ${req.image} would write ${outside.path} outside its data dir ${container.dataDir}`);
  return {
    ok: true,
    image: {
      argv: argv.argv,
      env: { ...env },
      ...(workingDir ? { workingDir } : {}),
      hostPaths: programPaths(argv.argv[0]!, hostPaths ?? []),
      files: files.map((f) => ({ ...f })),
    },
  };
}

/** The image's own paths, and the program's directory when it lies outside /usr (a user table entry's /opt/app/bin). */
function programPaths(program: string, hostPaths: string[]): string[] {
  const dir = posix.dirname(program);
  const inUsr = dir === '/usr' || dir.startsWith('/usr/') || ['/bin', '/sbin'].includes(dir);
  return inUsr || hostPaths.some((p) => dir === p || dir.startsWith(`${p}/`)) ? [...hostPaths] : [...hostPaths, dir];
}
