/**
 * Turns a container's argv[0] into an absolute path on the node, as a
 * container runtime would inside the image: in-image paths of built-in
 * images (/agnhost, nginx, catalina.sh) map to the node's programs, and bare
 * names are looked up in the image's PATH. Pure apart from the injected
 * isExecutable check.
 */
import { posix } from 'node:path';

interface Argv0Context {
  /** argv[0] as the real image knows it → the node's command line for it; [] drops argv[0] (an entrypoint that execs "$@"). */
  aliases: Record<string, string[]>;
  /** The image's PATH. */
  pathEnv: string;
  workingDir?: string;
  isExecutable: (path: string) => boolean;
}

type Argv0Result = { ok: true; argv: string[] } | { ok: false; message: string };

/** Applies aliases (a few rounds, so "/docker-entrypoint.sh nginx" works), then makes argv[0] absolute. */
export function absoluteArgv(argv: string[], ctx: Argv0Context): Argv0Result {
  let out = argv;
  // Only an exec-"$@" alias ([]) hands over to the next word; a real expansion is final
  // (its own argv[0], e.g. /usr/sbin/nginx, may itself be an alias key).
  for (let round = 0; round < 4 && out.length > 0 && Object.hasOwn(ctx.aliases, out[0]!); round++) {
    const expansion = ctx.aliases[out[0]!]!;
    out = [...expansion, ...out.slice(1)];
    if (expansion.length > 0) break;
  }
  const first = out[0];
  if (first === undefined || first === '')
    return {
      ok: false,
      message: 'no command specified: the image has no entrypoint or cmd and the container gives no command',
    };
  if (posix.isAbsolute(first)) return { ok: true, argv: out };
  // A relative path with a slash is relative to the working directory, as in exec(3) from that directory.
  if (first.includes('/')) return { ok: true, argv: [posix.resolve(ctx.workingDir ?? '/', first), ...out.slice(1)] };
  for (const dir of ctx.pathEnv.split(':')) {
    if (!posix.isAbsolute(dir)) continue;
    const candidate = posix.join(dir, first);
    if (ctx.isExecutable(candidate)) return { ok: true, argv: [candidate, ...out.slice(1)] };
  }
  return {
    ok: false,
    message: `executable ${JSON.stringify(first)} not found in the image's $PATH (${ctx.pathEnv}) on this node; give an absolute path in command/entrypoint or install the program`,
  };
}
