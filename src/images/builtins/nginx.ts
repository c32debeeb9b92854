/**
 * nginx: Debian's nginx binary with a generated per-container config. Shaped
 * like the official image: the entrypoint execs its arguments and CMD is
 * ["nginx", "-g", "daemon off;"], so manifests that override command or args
 * the usual ways behave as they do on a real cluster.
 */
import { nginxCommand, nginxFiles, nginxLayout } from './nginx-config.js';
import { STANDARD_PATH, type BuiltinImage } from './types.js';

export const nginxImage: BuiltinImage = {
  id: 'nginx',
  patterns: ['nginx'],
  build(f, c) {
    if (!f.nginxBinary) {
      return {
        ok: false,
        message:
          'nginx is a built-in image but /usr/sbin/nginx is not installed on this node; install it (apt-get install nginx-light)',
      };
    }
    const layout = nginxLayout(c.dataDir);
    const nginx = nginxCommand(f.nginxBinary, layout);
    return {
      ok: true,
      spec: {
        entrypoint: [],
        cmd: ['nginx', '-g', 'daemon off;'],
        env: { PATH: STANDARD_PATH },
        files: nginxFiles(layout, c.hostname),
        // "/docker-entrypoint.sh" execs "$@", hence [].
        aliases: { nginx, '/usr/sbin/nginx': nginx, '/docker-entrypoint.sh': [] },
      },
    };
  },
};
