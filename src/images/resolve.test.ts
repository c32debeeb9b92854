/** Table tests for resolution: Kubernetes' command/args rules, aliases, built-ins, unknown and invalid images. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAUSE_SCRIPT } from './builtins/agnhost.js';
import type { HostFacts } from './builtins/types.js';
import { isExecutable } from './host-facts.js';
import { resolveImage, type ResolverState } from './resolve.js';
import type { ImageRequest, ImageResolution } from './types.js';
import { parseUserTable } from './user-table.js';

/** A node with everything installed (resolution never touches these paths; running does). */
const facts: HostFacts = {
  nodeBinary: '/usr/bin/node',
  agnhostMain: '/opt/podnet/dist/images/agnhost/main.js',
  agnhostBuilt: true,
  podnetMain: '/opt/podnet/dist/cli/main-entry.js',
  podnetBuilt: true,
  podnetRoot: '/opt/podnet',
  nginxBinary: '/usr/sbin/nginx',
  tomcatHome: '/usr/share/tomcat10',
  javaHome: '/usr/lib/jvm/java-17-openjdk-amd64',
};

const USER_TABLE = `
images:
  - image: example.com/shop/web:*
    entrypoint: [/usr/bin/python3, -m, http.server]
    cmd: ["8000"]
    env: {PYTHONUNBUFFERED: 1}
    workingDir: /srv
  - image: example.com/shop/web:2.0
    entrypoint: [/usr/bin/python3, -m, http.server]
    cmd: ["9000"]
  - image: example.com/tools
    cmd: [sh, -c, "echo hi"]
  - image: nginx:1.*
    entrypoint: [/usr/local/bin/my-nginx]
  - image: mirror.local/agnhost
    builtin: agnhost
    env: {EXTRA: "yes"}
`;

function state(overrides: Partial<ResolverState> = {}): ResolverState {
  const parsed = parseUserTable(USER_TABLE, '/var/lib/podnet/images.yaml');
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return {
    userEntries: parsed.entries,
    facts,
    isExecutable,
    userTablePath: '/var/lib/podnet/images.yaml',
    ...overrides,
  };
}

const req = (image: string, extra: Partial<ImageRequest> = {}): ImageRequest => ({
  image,
  dataDir: '/var/lib/podnet/pods/u1/containers/c',
  hostname: 'pod-1',
  ...extra,
});
const argvOf = (r: ImageResolution): string[] => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.image.argv;
};

test("command and args follow Kubernetes' four cases", () => {
  const s = state();
  const img = 'example.com/shop/web:1.0';
  const cases: [string, Partial<ImageRequest>, string[]][] = [
    ['neither: image entrypoint + image cmd', {}, ['/usr/bin/python3', '-m', 'http.server', '8000']],
    ['command only: image cmd ignored', { command: ['/usr/bin/env'] }, ['/usr/bin/env']],
    [
      'args only: image entrypoint + args',
      { args: ['8080', '--bind', '0.0.0.0'] },
      ['/usr/bin/python3', '-m', 'http.server', '8080', '--bind', '0.0.0.0'],
    ],
    ['both: command + args', { command: ['/usr/bin/env'], args: ['FOO=1'] }, ['/usr/bin/env', 'FOO=1']],
    ['empty lists count as not given', { command: [], args: [] }, ['/usr/bin/python3', '-m', 'http.server', '8000']],
  ];
  for (const [name, extra, want] of cases) assert.deepEqual(argvOf(resolveImage(s, req(img, extra))), want, name);
});

test('user entries carry env and workingDir; the most specific key wins', () => {
  const s = state();
  const r = resolveImage(s, req('example.com/shop/web:1.0'));
  assert.ok(r.ok);
  assert.equal(r.image.env.PYTHONUNBUFFERED, '1');
  assert.equal(
    r.image.env.PATH,
    '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'images get a PATH like Docker images',
  );
  assert.equal(r.image.workingDir, '/srv');
  assert.deepEqual(r.image.files, []);
  assert.deepEqual(r.image.hostPaths, []);
  assert.deepEqual(
    argvOf(resolveImage(s, req('example.com/shop/web:2.0'))).at(-1),
    '9000',
    'exact tag beats the * entry',
  );
  assert.deepEqual(
    argvOf(resolveImage(s, req(`example.com/shop/web@sha256:${'d'.repeat(64)}`))).at(-1),
    '8000',
    '* matches digests',
  );
});

test('bare program names are looked up in the image PATH; unknown ones fail saying so', () => {
  const s = state();
  assert.equal(
    argvOf(resolveImage(s, req('example.com/tools')))[0],
    isExecutable('/usr/bin/sh') ? '/usr/bin/sh' : '/bin/sh',
  );
  const missing = resolveImage(s, req('example.com/tools', { command: ['no-such-program-podnet'] }));
  assert.ok(!missing.ok);
  assert.equal(missing.reason, 'ErrImagePull');
  assert.match(missing.message, /executable "no-such-program-podnet" not found in the image's \$PATH/);
});

test('the user table overrides built-ins; builtin: reuses a built-in program', () => {
  const s = state();
  assert.deepEqual(argvOf(resolveImage(s, req('nginx:1.25'))), ['/usr/local/bin/my-nginx']);
  assert.equal(argvOf(resolveImage(s, req('nginx:latest')))[0], '/usr/sbin/nginx', 'other tags stay built-in');
  const mirrored = resolveImage(s, req('mirror.local/agnhost:2.40', { args: ['netexec'] }));
  assert.ok(mirrored.ok);
  assert.deepEqual(mirrored.image.argv, [facts.nodeBinary, facts.agnhostMain, 'netexec']);
  assert.equal(mirrored.image.env.EXTRA, 'yes');
});

test('agnhost and pause: every spelling, the default CMD, and in-image paths', () => {
  const s = state({ userEntries: [] });
  const agnhost = [facts.nodeBinary, facts.agnhostMain];
  for (const image of [
    'registry.k8s.io/e2e-test-images/agnhost:2.47',
    'k8s.gcr.io/e2e-test-images/agnhost:2.39',
    'podnet/agnhost',
    'agnhost:latest',
  ]) {
    assert.deepEqual(argvOf(resolveImage(s, req(image))), [...agnhost, 'pause'], `${image}: CMD is pause`);
    assert.deepEqual(argvOf(resolveImage(s, req(image, { args: ['netexec', '--http-port=8080'] }))), [
      ...agnhost,
      'netexec',
      '--http-port=8080',
    ]);
    assert.deepEqual(
      argvOf(resolveImage(s, req(image, { command: ['/agnhost', 'serve-hostname'] }))),
      [...agnhost, 'serve-hostname'],
      '/agnhost is the in-image path',
    );
  }
  assert.deepEqual(
    argvOf(resolveImage(s, req('registry.k8s.io/pause:3.9'))),
    ['/bin/sh', '-c', PAUSE_SCRIPT, 'pause'],
    'the pause image is a shell, not agnhost',
  );
});

test('images name the node paths their programs read (a container sees only those besides /usr)', () => {
  const s = state();
  const agnhost = resolveImage(s, req('agnhost'));
  assert.ok(agnhost.ok);
  assert.deepEqual(agnhost.image.hostPaths, [
    '/opt/podnet/dist',
    '/opt/podnet/node_modules',
    '/opt/podnet/build',
    '/opt/podnet/package.json',
  ]);
  const nginx = resolveImage(s, req('nginx'));
  assert.ok(nginx.ok);
  assert.deepEqual(nginx.image.hostPaths, []);
});

test('podnet/podnet runs podnet itself: args pick the command', () => {
  const s = state({ userEntries: [] });
  const podnet = [facts.nodeBinary, facts.podnetMain];
  assert.deepEqual(argvOf(resolveImage(s, req('podnet/podnet'))), [...podnet, 'help']);
  assert.deepEqual(argvOf(resolveImage(s, req('podnet/podnet:0.1', { args: ['dns', '--listen', '10.0.0.1:53'] }))), [
    ...podnet,
    'dns',
    '--listen',
    '10.0.0.1:53',
  ]);
});

test('nginx: shaped like the official image, files only inside the data dir', () => {
  const s = state({ userEntries: [] });
  const dataDir = '/var/lib/podnet/pods/u1/containers/web';
  const nginx = ['/usr/sbin/nginx', '-p', `${dataDir}/`, '-c', `${dataDir}/nginx.conf`, '-e', 'stderr'];
  const r = resolveImage(s, req('docker.io/library/nginx:1.27-alpine', { dataDir }));
  assert.ok(r.ok);
  assert.deepEqual(r.image.argv, [...nginx, '-g', 'daemon off;']);
  assert.ok(r.image.files.every((f) => f.path.startsWith(`${dataDir}/`)));
  const conf = r.image.files.find((f) => f.path === `${dataDir}/nginx.conf`)!.content;
  assert.match(conf, /listen 80;/);
  const directives = conf
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');
  assert.doesNotMatch(directives, /\/var\/(lib|log)\/nginx/);
  assert.match(
    r.image.files.find((f) => f.path.endsWith('/html/index.html'))!.content,
    /Welcome to nginx![\s\S]*pod-1/,
  );
  // The usual overrides from manifests written for the real image.
  assert.deepEqual(argvOf(resolveImage(s, req('nginx', { dataDir, command: ['nginx', '-g', 'daemon off;'] }))), [
    ...nginx,
    '-g',
    'daemon off;',
  ]);
  assert.deepEqual(
    argvOf(resolveImage(s, req('nginx', { dataDir, command: ['/docker-entrypoint.sh', 'nginx', '-T'] }))),
    [...nginx, '-T'],
  );
  assert.deepEqual(
    argvOf(resolveImage(s, req('nginx', { dataDir, args: ['nginx', '-g', 'daemon off; worker_processes 2;'] }))),
    [...nginx, '-g', 'daemon off; worker_processes 2;'],
  );
});

test('tomcat: catalina.sh run with CATALINA_BASE in the data dir', () => {
  const s = state({ userEntries: [] });
  const dataDir = '/var/lib/podnet/pods/u1/containers/app';
  const r = resolveImage(s, req('tomcat:10.1', { dataDir }));
  assert.ok(r.ok);
  assert.deepEqual(r.image.argv, ['/usr/share/tomcat10/bin/catalina.sh', 'run']);
  assert.equal(r.image.env.CATALINA_BASE, dataDir);
  assert.equal(r.image.env.JAVA_HOME, facts.javaHome);
  assert.equal(r.image.workingDir, dataDir);
  assert.deepEqual(r.image.files.map((f) => f.path.slice(dataDir.length + 1)).sort(), [
    'conf/context.xml',
    'conf/logging.properties',
    'conf/server.xml',
    'conf/web.xml',
    'logs/.keep',
    'temp/.keep',
    'webapps/ROOT/index.html',
  ]);
  assert.deepEqual(
    argvOf(resolveImage(s, req('tomcat', { dataDir, command: ['/usr/local/tomcat/bin/catalina.sh', 'run'] }))),
    ['/usr/share/tomcat10/bin/catalina.sh', 'run'],
  );
});

test('a built-in whose program is missing on the node fails with how to install it', () => {
  const bare: HostFacts = {
    nodeBinary: '/usr/bin/node',
    agnhostMain: '/x/main.js',
    agnhostBuilt: false,
    podnetMain: '/x/main-entry.js',
    podnetRoot: '/x',
    podnetBuilt: false,
  };
  const s = state({ userEntries: [], facts: bare });
  const cases: [string, RegExp][] = [
    ['nginx', /apt-get install nginx-light/],
    ['tomcat', /apt-get install tomcat10/],
    ['podnet/agnhost', /npm run build/],
    ['podnet/podnet', /npm run build/],
  ];
  for (const [image, re] of cases) {
    const r = resolveImage(s, req(image));
    assert.ok(!r.ok && r.reason === 'ErrImagePull', image);
    assert.match(r.message, re);
  }
});

test('unknown images are ErrImagePull saying where to add them; malformed ones InvalidImageName', () => {
  const unknown = resolveImage(state(), req('foo:1'));
  assert.ok(!unknown.ok);
  assert.equal(unknown.reason, 'ErrImagePull');
  assert.match(unknown.message, /^image "foo:1" is not in podnet's image table/);
  assert.match(unknown.message, /add it to \/var\/lib\/podnet\/images\.yaml/);
  assert.match(unknown.message, /built-in image: agnhost, pause, podnet, nginx, tomcat/);

  const noFile = resolveImage(state({ userTablePath: undefined as unknown as string, userEntries: [] }), req('foo:1'));
  assert.ok(!noFile.ok);
  assert.match(noFile.message, /PODNET_IMAGES/);

  const broken = resolveImage(state({ userTableProblem: '/t.yaml:3:5: invalid YAML' }), req('foo:1'));
  assert.ok(!broken.ok);
  assert.match(broken.message, /currently fails to load: \/t\.yaml:3:5/);

  const invalid = resolveImage(state(), req('Foo:1'));
  assert.ok(!invalid.ok);
  assert.equal(invalid.reason, 'InvalidImageName');
  assert.match(invalid.message, /invalid reference format: repository name must be lowercase/);
});
