/**
 * podnet's image table: image references → programs on the node.
 * Built-in images: agnhost (+ pause), nginx, tomcat; users add more in a
 * YAML/JSON table (see user-table.ts for the format).
 */
export type { ImageRequest, ImageResolution, ImageTable, ResolvedImage } from './types.js';
export { loadImageTable } from './table.js';
export { parseImageRef, type ImageRef } from './reference.js';
export { NGINX_DEFAULT_PORT, nginxFiles, nginxLayout } from './builtins/nginx-config.js';
export { TOMCAT_DEFAULT_PORT, tomcatFiles } from './builtins/tomcat-config.js';
