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
    return { ok: true, spec: { entrypoint: agnhost, cmd: ['pause'], env: { PATH: STANDARD_PATH }, files: [], aliases: { '/agnhost': agnhost, agnhost } } };
  },
};

export const pauseImage: BuiltinImage = {
  id: 'pause',
  patterns: ['registry.k8s.io/pause', 'k8s.gcr.io/pause', 'podnet/pause'],
  build(f) {
    if (!f.agnhostBuilt) return notBuilt(f);
    const pause = [f.nodeBinary, f.agnhostMain, 'pause'];
    return { ok: true, spec: { entrypoint: pause, cmd: [], env: { PATH: STANDARD_PATH }, files: [], aliases: { '/pause': pause } } };
  },
};

/** podnet itself, for cluster add-ons run as pods (e.g. `args: [dns, ...]`); no default command. */
export const podnetImage: BuiltinImage = {
  id: 'podnet',
  patterns: ['podnet/podnet'],
  build(f) {
    if (!f.podnetBuilt) return { ok: false, message: `podnet's CLI ${f.podnetMain} is missing; build podnet first (npm run build)` };
    return { ok: true, spec: { entrypoint: [f.nodeBinary, f.podnetMain], cmd: ['help'], env: { PATH: STANDARD_PATH }, files: [], aliases: { podnet: [f.nodeBinary, f.podnetMain] } } };
  },
};
