/**
 * What an end-to-end test needs from the machine, as node:test skip reasons.
 *
 * Unit tests (`*.test.ts`) need nothing but Node: no root, no Debian
 * packages, no kubectl. Tests that do (`*.e2e.test.ts`) state it with
 * `{ skip: needs(...) }`, so a run without root or a package skips them
 * with a reason that says what to install or how to run, instead of failing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One thing a test needs: a predicate and what to tell the user when it is missing. */
export interface Requirement {
  ok: () => boolean;
  missing: string;
}

const memo = new Map<Requirement, boolean>();

/**
 * The first missing requirement's reason, or false when the test can run.
 * Unit runs (scripts/test unit sets PODNET_TEST_KIND=unit) refuse the call:
 * a test with requirements belongs in a *.e2e.test.ts file.
 */
export function needs(...requirements: Requirement[]): string | false {
  if (process.env['PODNET_TEST_KIND'] === 'unit') {
    throw new Error('a unit test (*.test.ts) declared machine requirements; name its file *.e2e.test.ts');
  }
  for (const r of requirements) {
    let ok = memo.get(r);
    if (ok === undefined) memo.set(r, (ok = r.ok()));
    if (!ok) return r.missing;
  }
  return false;
}

export const root: Requirement = {
  ok: () => process.getuid?.() === 0,
  missing: 'needs root (creates network namespaces and links): run npm run test:e2e as root',
};

/** The compiled node agent, which clusters start as separate processes. */
export const built: Requirement = {
  ok: () => existsSync(fileURLToPath(new URL('../cli/node.js', import.meta.url))),
  missing: 'podnet is not built (dist/cli/node.js missing): run npm run build first',
};

export const kubectl: Requirement = {
  ok: () => spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0,
  missing: 'needs kubectl on PATH (https://kubernetes.io/docs/tasks/tools/)',
};

/** A file a Debian package installs; the reason names the package. */
export function installed(path: string, debianPackage: string): Requirement {
  return {
    ok: () => existsSync(path),
    missing: `needs ${path}: apt-get install ${debianPackage} (or run scripts/install-deps)`,
  };
}

export const cniPlugins = installed('/usr/lib/cni/bridge', 'containernetworking-plugins');
