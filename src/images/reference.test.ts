import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchScore, parsePattern } from './match.js';
import { parseImageRef } from './reference.js';

test('references normalize the way Docker does', () => {
  const cases: [string, { name: string; tag?: string; digest?: string }][] = [
    ['nginx', { name: 'docker.io/library/nginx' }],
    ['nginx:1.25', { name: 'docker.io/library/nginx', tag: '1.25' }],
    ['docker.io/library/nginx:latest', { name: 'docker.io/library/nginx', tag: 'latest' }],
    ['index.docker.io/library/nginx', { name: 'docker.io/library/nginx' }],
    ['podnet/agnhost:2.47', { name: 'docker.io/podnet/agnhost', tag: '2.47' }],
    ['registry.k8s.io/e2e-test-images/agnhost:2.47', { name: 'registry.k8s.io/e2e-test-images/agnhost', tag: '2.47' }],
    ['localhost:5000/app', { name: 'localhost:5000/app' }],
    [`tomcat@sha256:${'a'.repeat(64)}`, { name: 'docker.io/library/tomcat', digest: `sha256:${'a'.repeat(64)}` }],
    [
      `tomcat:10@sha256:${'b'.repeat(64)}`,
      { name: 'docker.io/library/tomcat', tag: '10', digest: `sha256:${'b'.repeat(64)}` },
    ],
  ];
  for (const [input, want] of cases) {
    const r = parseImageRef(input);
    assert.ok(r.ok, `${input}: ${JSON.stringify(r)}`);
    assert.deepEqual(
      { name: r.ref.name, tag: r.ref.tag, digest: r.ref.digest },
      { tag: undefined, digest: undefined, ...want },
      input,
    );
  }
});

test('malformed references are rejected with the reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['Nginx', /must be lowercase/],
    ['nginx:', /bad tag/],
    ['nginx:bad/tag', /bad registry host "nginx:bad"/],
    ['nginx@sha256:abc', /64 lowercase hex/],
    ['nginx latest', /whitespace/],
    ['-nginx', /bad repository name component/],
    ['nginx:*', /bad tag/],
  ];
  for (const [input, re] of cases) {
    const r = parseImageRef(input);
    assert.ok(!r.ok, input);
    assert.match(r.message, /invalid reference format/, input);
    assert.match(r.message, re, input);
  }
});

test('table keys match by name, then digest > exact tag > tag glob > any tag', () => {
  const score = (pattern: string, image: string): number | undefined => {
    const p = parsePattern(pattern);
    const r = parseImageRef(image);
    assert.ok(p.ok && r.ok);
    return matchScore(p.pattern.ref, r.ref);
  };
  const digest = `sha256:${'c'.repeat(64)}`;
  assert.equal(score(`app@${digest}`, `app@${digest}`), 3);
  assert.equal(score(`app@${digest}`, 'app:1'), undefined);
  assert.equal(score('app:1.2', 'app:1.2'), 2);
  assert.equal(score('app:latest', 'app'), 2, 'no tag means latest');
  assert.equal(score('app:1.2', `app@${digest}`), undefined);
  assert.ok(score('app:1.*', 'app:1.9')! > 1);
  assert.equal(score('app:1.*', 'app:2.0'), undefined);
  assert.equal(score('app:*', `app@${digest}`), 0);
  assert.equal(score('app', 'app:anything'), 0);
  assert.equal(score('app', 'docker.io/library/app:3'), 0);
  assert.equal(score('app', 'example.com/app'), undefined, 'other registry, other image');
  assert.ok(!parsePattern(`app:1@${digest}`).ok, 'a key names a tag or a digest, not both');
});
