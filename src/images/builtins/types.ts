/** What a built-in image is made of, and the node facts it depends on. */

/** Facts about the node, detected once when the table loads (see host-facts.ts). */
export interface HostFacts {
  /** Node's own binary: agnhost runs on it. */
  nodeBinary: string;
  /** Absolute path of the compiled agnhost entry (dist/images/agnhost/main.js). */
  agnhostMain: string;
  agnhostBuilt: boolean;
  /** podnet's own CLI entry (cluster add-ons such as `podnet dns` run as pods of image podnet/podnet). */
  podnetMain: string;
  podnetBuilt: boolean;
  /** podnet's package directory (dist, node_modules, build, package.json): what agnhost and podnet run from. */
  podnetRoot: string;
  /** /usr/sbin/nginx when installed. */
  nginxBinary?: string;
  /** CATALINA_HOME of Debian's tomcat10 when installed. */
  tomcatHome?: string;
  /** Debian's tomcat10-examples webapp (deployed at /examples when installed, as older official images did). */
  tomcatExamples?: string;
  /** A JDK/JRE home with bin/java, for tomcat. */
  javaHome?: string;
}

export interface GeneratedFile {
  path: string;
  content: string;
  mode?: number;
}

/** An image's config, as a registry would have delivered it, plus the files it needs on the node. */
interface ImageSpec {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  workingDir?: string;
  files: GeneratedFile[];
  /** Node paths the program reads besides /usr (seen read-only in the container's root). */
  hostPaths?: string[];
  /** In-image program paths → node command lines (see argv0.ts). */
  aliases: Record<string, string[]>;
}

export type SpecResult = { ok: true; spec: ImageSpec } | { ok: false; message: string };

export interface BuiltinImage {
  id: string;
  /** Table keys (see match.ts) this image answers to. */
  patterns: string[];
  build(facts: HostFacts, container: { dataDir: string; hostname: string }): SpecResult;
}

/** The PATH every Debian-based image sets. */
export const STANDARD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
