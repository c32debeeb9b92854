/**
 * The image table's public contract. No registry is reachable from a podnet
 * node, so an image reference resolves to a program already on the node.
 * Other layers (the node agent) code against exactly these shapes.
 */

export interface ImageRequest {
  image: string;
  /** container.command: replaces the image's ENTRYPOINT when non-empty. */
  command?: string[];
  /** container.args: replaces the image's CMD when non-empty. */
  args?: string[];
  /** per-container writable dir for generated config */
  dataDir: string;
  hostname: string;
}

export interface ResolvedImage {
  /** argv[0] is an absolute path on the node. */
  argv: string[];
  /** The image's own environment (container env from the pod spec goes over it). */
  env: Record<string, string>;
  workingDir?: string;
  /** Node paths the program reads besides /usr and its data dir (a container sees them read-only). */
  hostPaths: string[];
  /** files to write (absolute paths inside dataDir) before start; the caller creates parent directories */
  files: { path: string; content: string; mode?: number }[];
}

export type ImageResolution =
  { ok: true; image: ResolvedImage } | { ok: false; reason: 'ErrImagePull' | 'InvalidImageName'; message: string };

export interface ImageTable {
  resolve(req: ImageRequest): ImageResolution;
}
