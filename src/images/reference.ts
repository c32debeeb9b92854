/**
 * Image references in the Docker/OCI grammar (domain/path:tag@digest), and
 * their normalization (nginx → docker.io/library/nginx) so that table entries
 * and pod specs compare equal however they are spelled. Pure.
 */

export interface ImageRef {
  /** Registry host, normalized: docker.io when none is given. */
  domain: string;
  /** Repository path, with library/ added for single-name Docker Hub images. */
  path: string;
  /** domain/path: what table entries match on. */
  name: string;
  /** undefined when the reference names neither tag nor digest (means "latest"). */
  tag?: string;
  digest?: string;
}

type ParsedRef = { ok: true; ref: ImageRef } | { ok: false; message: string };

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** A tag pattern in the table may use * as a wildcard (nginx:1.*, app:*). */
const TAG_PATTERN = /^[\w*][\w.*-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

const invalid = (ref: string, why: string): ParsedRef => ({
  ok: false,
  message: `couldn't parse image reference ${JSON.stringify(ref)}: invalid reference format: ${why}`,
});

/** Parses a reference as a pod spec gives it. With allowTagPattern, the tag may contain * (for table keys). */
export function parseImageRef(input: string, opts: { allowTagPattern?: boolean } = {}): ParsedRef {
  if (input === '') return invalid(input, 'empty image name');
  if (/\s/.test(input)) return invalid(input, 'whitespace is not allowed');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      return invalid(input, `bad digest ${JSON.stringify(digest)} (want algorithm:hex, e.g. sha256:<64 hex digits>)`);
    if (digest.startsWith('sha256:') && !SHA256.test(digest))
      return invalid(input, 'a sha256 digest has exactly 64 lowercase hex digits');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!(opts.allowTagPattern ? TAG_PATTERN : TAG).test(tag)) return invalid(input, `bad tag ${JSON.stringify(tag)}`);
  }
  const parts = rest.split('/');
  let domain = 'docker.io';
  // Docker's rule: the first component is a registry host only when it looks like one.
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) return invalid(input, `bad registry host ${JSON.stringify(domain)}`);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  for (const p of parts) {
    if (p !== p.toLowerCase()) return invalid(input, 'repository name must be lowercase');
    if (!PATH_COMPONENT.test(p)) return invalid(input, `bad repository name component ${JSON.stringify(p)}`);
  }
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (domain.length + 1 + path.length > 255)
    return invalid(input, 'repository name must not be more than 255 characters');
  const ref: ImageRef = { domain, path, name: `${domain}/${path}` };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return { ok: true, ref };
}

/** The tag a pod's reference asks for: Docker's default "latest" when it names neither tag nor digest. */
export const effectiveTag = (ref: ImageRef): string | undefined => ref.tag ?? (ref.digest ? undefined : 'latest');
