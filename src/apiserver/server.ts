/**
 * Starts a complete control plane in this process: store, PKI and tokens,
 * the HTTPS API, the bootstrap objects and the controllers (which talk to
 * the API over its own socket like any other client).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer as createHttpsServer } from 'node:https';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { openEtcdStore, type EtcdConnection } from '../store/etcd/open.js';
import { createApp } from './app.js';
import { NamespaceCache } from './registry/namespace-cache.js';
import { ApiserverMetrics } from './metrics.js';
import type { ClusterConfig, ClusterConfigInput } from '../api/cluster-config.js';
import { clusterConfigAtStart } from './cluster-config.js';
import { nodeHandler, readTlsThroughStream } from './serve-http.js';
import { Registry, type Admission } from './registry/registry.js';
import { clusterAdmission } from './admission/index.js';
import { findResource } from '../api/resources.js';
import { podSecurityAdmission } from './pod-security/admission.js';
import { apiRules } from './rules.js';
import { strategies } from './registry/strategies/index.js';
import { ServiceAllocations } from './registry/strategies/services.js';
import { bootstrapObjects } from './bootstrap.js';
import { KubeClient } from '../client/client.js';
import { startControllers } from '../controllers/index.js';
import { LeaderElector } from '../client/leader-election/leader-elector.js';
import { logger } from '../log/log.js';
import { ApiserverEndpoints } from './apiserver-endpoints.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { defaultServingNames, ensureKubeletClientCert, ensurePki } from './state/pki.js';
import { StreamingProxy } from './streaming/proxy.js';
import { parseRequest } from './request-info.js';
import { TokenAuthenticator } from './state/tokens.js';
import { BearerAuthenticator } from './authenticator.js';
import { ServiceAccountTokens, type ObjectLookup } from './serviceaccounts/tokens.js';
import { ensureSigningKey } from './serviceaccounts/signing-key.js';
import { serviceAccountIssuer } from './serviceaccounts/claims.js';
import { kubeconfigName, writeKubeconfig } from './state/kubeconfig.js';
import { authorizeOrThrow, resourceAttributes, startAuthorization, type Authorization } from './authz/index.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const PODS = findResource('', 'v1', 'pods')!;

interface ApiServerOptions {
  stateDir: string;
  host: string;
  port: number;
  /** Serve plain HTTP without authentication (explicit opt-in only). */
  insecureHttp?: boolean;
  /** The cluster's shape from flags; what the store already holds wins, and a flag that contradicts it is an error. */
  cluster?: ClusterConfigInput;
  /** Address other hosts use to reach this server (put in the certificate and the kubernetes Endpoints). */
  advertiseAddress?: string;
  /** Seconds without a Lease renewal before a node goes NotReady. */
  nodeGracePeriodSeconds?: number;
  /** Names DIR/kubeconfig's cluster, user and context podnet-<name> (default: podnet). */
  clusterName?: string;
  /** Do not start controllers (tests of the bare API). */
  controllers?: boolean;
  /** How often the ClusterIP / NodePort allocations are checked against the Services (ms; 0: never). */
  allocationRepairMs?: number;
  /** Ranges Services may take externalIPs from (kube's DenyServiceExternalIPs otherwise; default none). */
  serviceExternalIpCidrs?: string[];
  /** Keep the state in etcd (shareable by several API servers) instead of DIR/db. */
  etcd?: EtcdConnection;
}

export interface RunningApiServer {
  url: string;
  kubeconfigPath: string;
  adminToken: string;
  caCertPem?: string;
  store: Store;
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
  const store = opts.etcd ? openEtcdStore(opts.etcd) : SqliteStore.open(join(opts.stateDir, 'db', 'state.db'));
  // A start that fails half-way must not leave the socket or the store open.
  const undo: (() => Promise<void>)[] = [() => store.close()];
  try {
    const cluster = await clusterConfigAtStart(store, opts.cluster ?? {}, opts.stateDir);
    return await startOn(store, opts, cluster, undo);
  } catch (e) {
    // The start's own error is the one to report; an undo that fails too adds nothing to it.
    for (const u of undo.reverse()) await u().catch(() => undefined);
    throw e;
  }
}

async function startOn(
  store: Store,
  opts: ApiServerOptions,
  cluster: ClusterConfig,
  undo: (() => Promise<void>)[],
): Promise<RunningApiServer> {
  let storeReachable = true;
  // /readyz's etcd check: a cheap read now and then (SQLite is in-process and always answers).
  const storeProbe = setInterval(() => {
    store.currentRevision().then(
      () => (storeReachable = true),
      () => (storeReachable = false),
    );
  }, 5_000);
  storeProbe.unref();
  undo.push(() => Promise.resolve(clearInterval(storeProbe)));
  const allocations = new ServiceAllocations(store, cluster);
  await allocations.init();
  // Admission is bound late: authorization needs the registry to write the default roles.
  let authz: Authorization | undefined;
  const podSecurity = podSecurityAdmission({
    namespaceLabels: (name) =>
      registry.get(NAMESPACES, undefined, name).then(
        (ns) => ns.metadata.labels ?? {},
        () => undefined,
      ),
    podsIn: (namespace) => registry.listAll(PODS, namespace),
    audit: (line) => logger('apiserver').info(`PodSecurity audit: ${line}`),
  });
  // The plugins read the store through the registry they admit for, so they are bound late too.
  const plugins: { admission?: Required<Admission> } = {};
  const registry: Registry = new Registry(store, apiRules, strategies(allocations), {
    mutate: async (w) => plugins.admission?.mutate(w),
    admit: async (w) => {
      await authz?.admission.admit(w);
      await podSecurity.admit(w);
      await plugins.admission?.admit(w);
    },
  });
  const namespaces = new NamespaceCache();
  await namespaces.start(store);
  registry.namespaceCache = namespaces;
  undo.push(() => Promise.resolve(namespaces.stop()));
  plugins.admission = clusterAdmission(registry, {
    // Pods need a ServiceAccount only where the controller that makes them runs.
    serviceAccounts: !opts.insecureHttp && opts.controllers !== false,
    externalIpCidrs: opts.serviceExternalIpCidrs ?? [],
  });
  if (!opts.insecureHttp) {
    authz = await startAuthorization(store, registry);
    const started = authz;
    undo.push(() => Promise.resolve(started.stop()));
  }

  let controllersReady = false;
  let bootstrapped = false;
  const staticTokens = opts.insecureHttp ? undefined : TokenAuthenticator.load(opts.stateDir);
  let serverAddress = `${opts.host}:${opts.port}`;
  const pkiDir = join(opts.stateDir, 'pki');
  const serviceAccountTokens = staticTokens
    ? new ServiceAccountTokens(
        ensureSigningKey(pkiDir),
        serviceAccountIssuer(cluster.clusterDomain),
        [serviceAccountIssuer(cluster.clusterDomain)],
        objectLookup(registry),
      )
    : undefined;
  const tokens =
    staticTokens && serviceAccountTokens ? new BearerAuthenticator(staticTokens, serviceAccountTokens) : undefined;
  const advertise = opts.advertiseAddress ?? (opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host);
  const pki = opts.insecureHttp
    ? undefined
    : ensurePki(
        pkiDir,
        defaultServingNames(
          [opts.host, advertise].filter((h) => /^[\d.:]+$/.test(h)),
          cluster.kubernetesServiceIp,
          cluster.clusterDomain,
        ),
      );
  const streaming = pki
    ? new StreamingProxy(registry, { caPem: pki.caCertPem, ...ensureKubeletClientCert(pkiDir) }, (user, info) => {
        if (authz) authorizeOrThrow(authz.authorizer, resourceAttributes(user, info));
      })
    : undefined;
  const app = createApp({
    registry,
    rules: apiRules,
    authenticator: tokens,
    authorization:
      authz && tokens
        ? {
            authorizer: authz.authorizer,
            reviews: {
              registry,
              authorizer: authz.authorizer,
              rbac: () => authz.rbac(),
              authenticate: (t) => tokens.check(t),
            },
          }
        : undefined,
    tokenRequests: serviceAccountTokens ? { registry, tokens: serviceAccountTokens } : undefined,
    serverAddress: () => serverAddress,
    streaming,
    metrics: new ApiserverMetrics(),
    readyChecks: [
      { name: 'etcd', ok: () => storeReachable },
      { name: 'poststarthook/bootstrap-controller', ok: () => bootstrapped },
      { name: 'poststarthook/start-controllers', ok: () => controllersReady || opts.controllers === false },
    ],
  });

  let server: Server;
  let caCertPem: string | undefined;
  if (!pki) {
    server = createHttpServer(nodeHandler(app));
  } else {
    caCertPem = pki.caCertPem;
    server = readTlsThroughStream(
      createHttpsServer(
        // Ask for a client certificate, never require one: tokens stay valid, and a certificate
        // that does not chain to the cluster CA just authenticates nobody (401 without a token).
        { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false },
        nodeHandler(app),
      ),
    );
  }
  if (streaming && tokens) {
    const proxy = streaming;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void proxy.upgrade(
        req,
        socket,
        head,
        (t) => tokens.authenticate(t),
        (method, url) => {
          const info = parseRequest(method, url.pathname, url.searchParams);
          return info.kind === 'resource' ? info : undefined;
        },
      );
    });
  }
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `cannot listen on ${opts.host}:${opts.port}: the address is in use; stop the other server or pick --listen ADDR:PORT`
            : e.message,
        ),
      ),
    );
    server.listen(opts.port, opts.host, resolve);
  });
  undo.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  serverAddress = `${hostForUrl(advertise)}:${port}`;
  const url = `${opts.insecureHttp ? 'http' : 'https'}://${hostForUrl(advertise)}:${port}`;
  const kubeconfigPath = join(opts.stateDir, 'kubeconfig');
  const adminToken = staticTokens?.adminToken ?? '';
  writeKubeconfig(kubeconfigPath, {
    server: url,
    caCertPem,
    token: adminToken,
    name: kubeconfigName(opts.clusterName),
  });

  await bootstrapObjects(registry, {
    apiserverIp: advertise,
    apiserverPort: port,
    cluster,
  });
  const endpoints = new ApiserverEndpoints(registry, { ip: advertise, port }, `${hostname()}_${randomUUID()}`, (m) =>
    logger('apiserver').warn(m),
  );
  await endpoints.start();
  undo.push(() => endpoints.stop());
  await authz?.reconcileDefaults();
  bootstrapped = true;

  let controllers: { stop(): Promise<void> } | undefined;
  if (opts.controllers !== false) {
    const client = new KubeClient({
      server: url,
      token: adminToken,
      caCertPem,
      userAgent: 'podnet-controller-manager',
    });
    controllers = electedControllers(client, () =>
      startControllers(client, {
        clusterCidr: cluster.clusterCidr,
        nodeCidrMaskSize: cluster.nodeCidrMaskSize,
        nodeGracePeriodSeconds: opts.nodeGracePeriodSeconds,
        rootCaPem: caCertPem,
      }),
    );
    const started = controllers;
    undo.push(() => started.stop());
    controllersReady = true;
  }
  const repairMs = opts.allocationRepairMs ?? 60_000;
  // A failed repair pass changes nothing and the next pass retries it.
  const repair =
    repairMs > 0 ? setInterval(() => void allocations.repair(registry).catch(() => undefined), repairMs) : undefined;
  repair?.unref();

  return {
    url,
    kubeconfigPath,
    adminToken,
    caCertPem,
    store,
    async close() {
      // Leave the kubernetes endpoints first, so clients stop picking this server.
      await endpoints
        .stop()
        .catch((e: Error) => logger('apiserver').warn(`leaving the kubernetes endpoints: ${e.message}`));
      clearInterval(repair);
      clearInterval(storeProbe);
      await controllers?.stop();
      authz?.stop();
      namespaces.stop();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/**
 * The controllers run in one API server at a time: the holder of Lease
 * kube-system/podnet-controller-manager (kube-controller-manager's way).
 * An 8 s lease looked at every second (kube's 15 s / 2 s, shortened so
 * the controllers resume within 15 s, issue 22): a successor takes over
 * 8-10 s after the leader dies, at once when it stops cleanly.
 */
function electedControllers(
  client: KubeClient,
  start: () => Promise<{ stop(): Promise<void> }>,
): { stop(): Promise<void> } {
  const log = logger('leader-election');
  const elector = new LeaderElector(client, {
    namespace: 'kube-system',
    name: 'podnet-controller-manager',
    leaseDurationSeconds: 8,
    renewDeadlineMs: 6_000,
    retryPeriodMs: 1_000,
    onStartedLeading: start,
    log: (m) => log.info(m),
  });
  elector.start();
  return { stop: () => elector.stop() };
}

/** How the ServiceAccount authenticator reads the objects a token is bound to: straight from the store. */
function objectLookup(registry: Registry): ObjectLookup {
  return async (resource, namespace, name) => {
    const ri = findResource('', 'v1', resource)!;
    const kv = await registry.store.get(registry.key(ri, namespace, name));
    if (!kv) return undefined;
    const { uid, deletionTimestamp } = registry.decode(kv).metadata;
    return { uid, deletionTimestamp };
  };
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
