/**
 * tomcat: Debian's tomcat10 with the container's data dir as CATALINA_BASE.
 * Shaped like the official image (no ENTRYPOINT, CMD ["catalina.sh", "run"])
 * so "catalina.sh run" and its in-image path keep working as overrides.
 */
import { posix } from 'node:path';
import { tomcatFiles } from './tomcat-config.js';
import { STANDARD_PATH, type BuiltinImage } from './types.js';

export const tomcatImage: BuiltinImage = {
  id: 'tomcat',
  patterns: ['tomcat'],
  build(f, c) {
    if (!f.tomcatHome) {
      return {
        ok: false,
        message:
          'tomcat is a built-in image but tomcat10 is not installed on this node (/usr/share/tomcat10); install it (apt-get install tomcat10)',
      };
    }
    if (!f.javaHome) {
      return {
        ok: false,
        message:
          'tomcat needs Java but no JDK/JRE was found (JAVA_HOME, /usr/bin/java, /usr/lib/jvm); install one (apt-get install openjdk-17-jre-headless)',
      };
    }
    const catalina = posix.join(f.tomcatHome, 'bin', 'catalina.sh');
    return {
      ok: true,
      spec: {
        entrypoint: [],
        cmd: ['catalina.sh', 'run'],
        env: {
          PATH: `${f.tomcatHome}/bin:${f.javaHome}/bin:${STANDARD_PATH}`,
          JAVA_HOME: f.javaHome,
          CATALINA_HOME: f.tomcatHome,
          CATALINA_BASE: c.dataDir,
          CATALINA_TMPDIR: posix.join(c.dataDir, 'temp'),
          // C1-only JIT and the serial GC start Tomcat in ~2.5 s instead of 5-8 s on a small node;
          // a pod that wants peak throughput sets its own JAVA_OPTS (container env wins).
          JAVA_OPTS:
            '-Djava.awt.headless=true -Djava.security.egd=file:/dev/./urandom -XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
        },
        workingDir: c.dataDir,
        files: tomcatFiles(c.dataDir, c.hostname, undefined, f.tomcatExamples),
        aliases: { 'catalina.sh': [catalina], '/usr/local/tomcat/bin/catalina.sh': [catalina] },
      },
    };
  },
};
