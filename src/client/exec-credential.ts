/**
 * kubeconfig users with an exec plugin (client.authentication.k8s.io, as
 * kubectl runs gke-gcloud-auth-plugin, aws eks get-token or kubelogin): the
 * command prints an ExecCredential with a token or a client certificate;
 * it is kept until its expirationTimestamp (a minute's margin) and the
 * command is run again after, or after the server says 401.
 */
import { execFile } from 'node:child_process';

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  installHint?: string;
  /** kubectl's provideClusterInfo: the cluster's server and CA go to the plugin in KUBERNETES_EXEC_INFO. */
  provideClusterInfo?: boolean;
}

export interface ExecCredential {
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  /** ms since the epoch; undefined: valid until the server says otherwise. */
  expiresAt?: number;
}

const VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];
const MARGIN_MS = 60_000;

export class ExecCredentials {
  private current: ExecCredential | undefined;
  private pending: Promise<ExecCredential> | undefined;

  constructor(
    private readonly config: ExecConfig,
    private readonly cluster: { server: string; caCertPem?: string },
    private readonly now: () => number = Date.now,
  ) {
    if (!VERSIONS.includes(config.apiVersion))
      throw new Error(
        `exec plugin ${config.command}: apiVersion "${config.apiVersion}" is not one podnet speaks (${VERSIONS.join(', ')})`,
      );
  }

  /** The credential, running the plugin when there is none or it is about to expire. */
  get(): Promise<ExecCredential> {
    const c = this.current;
    if (c && (c.expiresAt === undefined || c.expiresAt - MARGIN_MS > this.now())) return Promise.resolve(c);
    this.pending ??= this.run().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forget the credential (the server refused it): the next get() runs the plugin. */
  invalidate(): void {
    this.current = undefined;
  }

  private async run(): Promise<ExecCredential> {
    const c = this.config;
    const info = {
      apiVersion: c.apiVersion,
      kind: 'ExecCredential',
      spec: {
        interactive: false,
        ...(c.provideClusterInfo
          ? {
              cluster: {
                server: this.cluster.server,
                ...(this.cluster.caCertPem
                  ? { 'certificate-authority-data': Buffer.from(this.cluster.caCertPem).toString('base64') }
                  : {}),
              },
            }
          : {}),
      },
    };
    const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
    for (const e of c.env ?? []) env[e.name] = e.value;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(c.command, c.args ?? [], { env, timeout: 60_000, maxBuffer: 1 << 20 }, (err, out, stderr) => {
        if (!err) return resolve(out);
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new Error(
            missing
              ? `exec plugin ${c.command} not found${c.installHint ? `: ${c.installHint.trim()}` : ''}`
              : `exec plugin ${c.command} failed: ${stderr.trim() || err.message}`,
            { cause: err },
          ),
        );
      });
    });
    let parsed: { apiVersion?: string; kind?: string; status?: Record<string, unknown> };
    try {
      parsed = JSON.parse(stdout) as typeof parsed;
    } catch (e) {
      throw new Error(`exec plugin ${c.command} printed no ExecCredential JSON: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const s = parsed.status ?? {};
    if (parsed.kind !== 'ExecCredential' || parsed.apiVersion !== c.apiVersion)
      throw new Error(
        `exec plugin ${c.command} printed ${parsed.kind ?? 'no kind'} ${parsed.apiVersion ?? ''}, not an ExecCredential of ${c.apiVersion}`,
      );
    const token = typeof s['token'] === 'string' ? s['token'] : undefined;
    const cert = typeof s['clientCertificateData'] === 'string' ? s['clientCertificateData'] : undefined;
    const key = typeof s['clientKeyData'] === 'string' ? s['clientKeyData'] : undefined;
    if (!token && !(cert && key))
      throw new Error(`exec plugin ${c.command} gave neither a token nor a client certificate and key`);
    const exp = typeof s['expirationTimestamp'] === 'string' ? Date.parse(s['expirationTimestamp']) : NaN;
    this.current = {
      token,
      clientCertPem: cert,
      clientKeyPem: key,
      expiresAt: Number.isNaN(exp) ? undefined : exp,
    };
    return this.current;
  }
}
