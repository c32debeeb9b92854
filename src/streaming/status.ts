/**
 * The metav1.Status objects a remote command ends with (written on the
 * error channel / stream), exactly as the kubelet writes them: kubectl turns
 * NonZeroExitCode into its own exit code.
 */

export interface CommandStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: { reason: string; message: string }[] };
}

export const successStatus = (): CommandStatus => ({ metadata: {}, status: 'Success' });

/** The exit code travels as text in a cause; clients parse it as a uint8. */
export function exitStatus(code: number): CommandStatus {
  if (code === 0) return successStatus();
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code & 0xff) }] },
  };
}

export function internalErrorStatus(message: string): CommandStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    code: 500,
    details: { causes: [{ reason: '', message }] },
  };
}

/** A kube Status response body for a request refused before any upgrade. */
export function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}
