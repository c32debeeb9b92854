/**
 * Detects, once per table load, which built-in images this node can run:
 * the compiled agnhost, Debian's nginx, tomcat10 and a Java for it.
 */
import { accessSync, constants, existsSync, readdirSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostFacts } from './builtins/types.js';

export const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return !path.endsWith('/');
  } catch {
    return false;
  }
};

const hasJava = (home: string): boolean => isExecutable(posix.join(home, 'bin', 'java'));

/** JAVA_HOME if it has bin/java, else what /usr/bin/java points to, else default-java, else any JVM under /usr/lib/jvm. */
function detectJavaHome(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.JAVA_HOME && hasJava(env.JAVA_HOME)) return env.JAVA_HOME;
  try {
    const java = realpathSync('/usr/bin/java');
    if (java.endsWith('/bin/java')) return java.slice(0, -'/bin/java'.length);
  } catch {
    /* no java on PATH's usual place */
  }
  if (hasJava('/usr/lib/jvm/default-java')) return '/usr/lib/jvm/default-java';
  try {
    return readdirSync('/usr/lib/jvm')
      .map((d) => posix.join('/usr/lib/jvm', d))
      .sort()
      .find(hasJava);
  } catch {
    return undefined;
  }
}

export function detectHostFacts(): HostFacts {
  const agnhostMain = fileURLToPath(new URL('./agnhost/main.js', import.meta.url));
  const podnetMain = fileURLToPath(new URL('../cli/main-entry.js', import.meta.url));
  const facts: HostFacts = {
    nodeBinary: process.execPath,
    agnhostMain,
    agnhostBuilt: existsSync(agnhostMain),
    podnetMain,
    podnetBuilt: existsSync(podnetMain),
    podnetRoot: fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, ''),
  };
  if (isExecutable('/usr/sbin/nginx')) facts.nginxBinary = '/usr/sbin/nginx';
  if (isExecutable('/usr/share/tomcat10/bin/catalina.sh')) facts.tomcatHome = '/usr/share/tomcat10';
  if (existsSync('/usr/share/tomcat10-examples/examples/WEB-INF/web.xml'))
    facts.tomcatExamples = '/usr/share/tomcat10-examples/examples';
  const javaHome = detectJavaHome();
  if (javaHome) facts.javaHome = javaHome;
  return facts;
}
