/**
 * Names derived from a pod (pure). Everything the runtime creates on the host
 * can be found again from the pod UID alone, which is what makes removal safe
 * after a crash that lost the state file.
 */

const UID_RE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const NAME_RE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

export function validatePodUid(uid: string): void {
  if (!UID_RE.test(uid) || uid.length > 64)
    throw new Error(`invalid pod UID "${uid}": expected letters, digits and dashes (a UUID)`);
}

export function validateContainerName(name: string): void {
  if (!NAME_RE.test(name) || name.length > 63)
    throw new Error(`invalid container name "${name}": expected a DNS label (lowercase letters, digits, '-')`);
}

/** The pod's network namespace under /run/netns; always starts with "podnet". */
export function podNetnsName(nodeName: string, uid: string): string {
  validatePodUid(uid);
  if (!NAME_RE.test(nodeName)) throw new Error(`invalid node name "${nodeName}": expected a DNS subdomain`);
  return `podnet-${nodeName}-${uid.replace(/-/g, '').slice(0, 12)}`;
}

/** The sandbox ("infra container") ID handed to CNI: the UID without dashes. */
export function sandboxIdFor(uid: string): string {
  validatePodUid(uid);
  return uid.replace(/-/g, '');
}
