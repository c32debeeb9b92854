/**
 * How a container's command line is assembled from the image and the pod
 * spec, with Kubernetes' rules ("Define a Command and Arguments for a
 * Container") as containerd applies them:
 *   neither command nor args → image ENTRYPOINT + image CMD
 *   command only             → command (the image's CMD is ignored)
 *   args only                → image ENTRYPOINT + args
 *   both                     → command + args
 * An empty list counts as not given, as in the kubelet. Pure.
 */

interface ImageProcess {
  entrypoint: string[];
  cmd: string[];
}

export function containerArgv(image: ImageProcess, command?: string[], args?: string[]): string[] {
  const hasCommand = command !== undefined && command.length > 0;
  const hasArgs = args !== undefined && args.length > 0;
  if (hasCommand) return [...command, ...(hasArgs ? args : [])];
  return [...image.entrypoint, ...(hasArgs ? args : image.cmd)];
}
