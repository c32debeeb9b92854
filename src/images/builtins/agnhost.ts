/**
 * agnhost and pause: podnet's TypeScript agnhost (agnhost/main.ts) run by the
 * node's own Node binary. Like the real image, ENTRYPOINT is the agnhost
 * program and CMD is "pause"; manifests that say command: ["/agnhost", ...]
 * or use registry.k8s.io/pause work through aliases.
 */
import { STANDARD_PATH, type BuiltinImage, type HostFacts, type SpecResult } from './types.js';

const notBuilt = (f: HostFacts): SpecResult => ({
  ok: false,
  message: `podnet's agnhost program ${f.agnhostMain} is missing; build podnet first (npm run build)`,
});

export const agnhostImage: BuiltinImage = {
  id: 'agnhost',
  patterns: [
    'registry.k8s.io/e2e-test-images/agnhost',
    'k8s.gcr.io/e2e-test-images/agnhost',
    'gcr.io/kubernetes-e2e-test-images/agnhost',
    'podnet/agnhost',
    'agnhost',
  ],
  build(f) {
    if (!f.agnhostBuilt) return notBuilt(f);
    const agnhost = [f.nodeBinary, f.agnhostMain];
    return {
      ok: true,
      spec: {
        entrypoint: agnhost,
        cmd: ['pause'],
        env: { PATH: STANDARD_PATH },
        files: [],
        hostPaths: packagePaths(f),
        aliases: { '/agnhost': agnhost, agnhost },
      },
    };
  },
};

/**
 * The pause image: a shell that sleeps until SIGTERM/SIGINT and exits 0, as
 * the real pause does. A shell, not the Node agnhost, because pods of only
 * pause are what density runs are made of: it costs ~1 MB and no start-up CPU.
 */
export const PAUSE_SCRIPT = "trap 'kill $! 2>/dev/null; exit 0' TERM INT; sleep infinity & wait $!";
export const pauseImage: BuiltinImage = {
  id: 'pause',
  patterns: ['registry.k8s.io/pause', 'k8s.gcr.io/pause', 'podnet/pause'],
  build() {
    const pause = ['/bin/sh', '-c', PAUSE_SCRIPT, 'pause'];
    return {
      ok: true,
      spec: { entrypoint: pause, cmd: [], env: { PATH: STANDARD_PATH }, files: [], aliases: { '/pause': pause } },
    };
  },
};

/** podnet itself, for cluster add-ons run as pods (e.g. `args: [dns, ...]`); no default command. */
export const podnetImage: BuiltinImage = {
  id: 'podnet',
  patterns: ['podnet/podnet'],
  build(f) {
    if (!f.podnetBuilt)
      return { ok: false, message: `podnet's CLI ${f.podnetMain} is missing; build podnet first (npm run build)` };
    return {
      ok: true,
      spec: {
        entrypoint: [f.nodeBinary, f.podnetMain],
        cmd: ['help'],
        env: { PATH: STANDARD_PATH },
        files: [],
        hostPaths: packagePaths(f),
        aliases: { podnet: [f.nodeBinary, f.podnetMain] },
      },
    };
  },
};

/** What Node needs to run podnet's compiled code: the package's dist, dependencies, native build and package.json. */
function packagePaths(f: HostFacts): string[] {
  return ['dist', 'node_modules', 'build', 'package.json'].map((p) => `${f.podnetRoot}/${p}`);
}
