/**
 * The pod manager: kubelet's sync loop. Desired state is the pods bound to
 * this node (an informer); actual state is the runtime's sandboxes (relisted
 * every second, PLEG-style, so container exits are noticed without the agent
 * being their parent). Each pod is synced on its own key: plan (pure), act
 * through the runtime, publish status only when it changed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import type { KObject } from '../api/meta.js';
import type { KubeClient } from '../client/client.js';
import { recordEvent, type EventType } from '../client/events.js';
import { Informer } from '../client/informer.js';
import { runWorkers, WorkQueue } from '../client/workqueue.js';
import type { ImageTable } from '../images/index.js';
import { warn } from '../log/log.js';
import {
  containerEnv,
  containerResources,
  downwardFieldValue,
  downwardResourceValue,
  containerSecurity,
  expandCommand,
  planPod,
  podHostname,
  podStatus,
  ProbeManager,
  renderHosts,
  renderResolvConf,
  statusEqual,
  type BackoffEntry,
  type ContainerSpec,
  type Pod,
  type PodStatus,
  type WaitingInfo,
} from './kubelet/index.js';
import type { PodRuntime, SandboxState } from './runtime/types.js';
import { containerBinds, PodVolumes } from './volumes/pod-volumes.js';
import { fetchContainerData, fetchVolumeData } from './referenced-data.js';
import { drainBudgetMs } from './endpoint-drain-decision.js';
import type { DrainResult } from './endpoint-drain.js';
import { ServiceAccountTokenCache } from './volumes/token-cache.js';
import type { VolumeSources } from './volumes/pod-volumes.js';

const podsRes = findResource('', 'v1', 'pods')!;

export type ApiPod = Pod & KObject;

const RELIST_MS = 1000;
/** How often running pods re-read the ConfigMaps, Secrets and tokens their volumes show (a node may not watch them all). */
const VOLUME_REFRESH_MS = 10_000;
/** Pods synced at once (the kubelet runs one worker per pod; sandbox setup is mostly waiting on plugins). */
const POD_WORKERS = 16;
const IMAGE_RETRY_MS = 10_000;
const LOG_MAX_BYTES = 10 * 1024 * 1024;
const LOG_KEEP = 5;

/** True when resourceVersion a is known to be older than b (podnet's are revisions; opaque ones never compare). */
export function isOlder(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

interface PodManagerOptions {
  client: KubeClient;
  runtime: PodRuntime & { rotateLogs?(maxBytes: number, keep: number): Promise<unknown> };
  images: ImageTable;
  nodeName: string;
  nodeIp: string;
  /** The node's own resolv.conf text (dnsPolicy Default, and the host's search domains). */
  hostResolvConf: string;
  /** The node's /etc/hosts (hostNetwork pods). */
  hostHosts?: string;
  clusterDns: string[];
  clusterDomain: string;
  /** The kubernetes Service's ClusterIP and port, in every container's env (KUBERNETES_SERVICE_HOST/PORT). */
  kubernetesService?: { host: string; port: number };
  /** Per-container writable dirs for generated image config (nginx prefix, CATALINA_BASE). */
  dataDir: string;
  /** Where pods' volumes live on the node (emptyDir, configMap, secret). */
  volumesDir: string;
  /** Most processes one container may run (the kubelet's podPidsLimit; undefined: unlimited). */
  podPidsLimit?: number;
  /** Waits until a terminating pod has left every node's proxy, DNS and the router (endpoint-drain.ts). */
  drain?: { wait(podUid: string, budgetMs: number): Promise<DrainResult> };
  log: (m: string) => void;
}

export class PodManager {
  private readonly pods: Informer<ApiPod>;
  private readonly queue = new WorkQueue<string>();
  private readonly byUid = new Map<string, ApiPod>();
  private sandboxes = new Map<string, SandboxState>();
  private readonly backoff = new Map<string, Record<string, BackoffEntry>>();
  private readonly waiting = new Map<string, Record<string, WaitingInfo | undefined>>();
  private readonly probes: ProbeManager;
  private readonly volumes: PodVolumes;
  private readonly tokens: ServiceAccountTokenCache;
  /** When running pods' configMap and secret volumes were last re-read (see start). */
  private volumesRefreshedAt = 0;
  /** Pods being synced now, and the relist generation at which each last finished a sync (see relist). */
  private readonly syncing = new Set<string>();
  private readonly syncedAt = new Map<string, number>();
  private generation = 0;
  private relistTimer: NodeJS.Timeout | undefined;
  private workers: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: PodManagerOptions) {
    const onError = (e: unknown) => o.log(`watch: ${(e as Error).message ?? e}`);
    this.pods = new Informer<ApiPod>(o.client, podsRes, { fieldSelector: `spec.nodeName=${o.nodeName}`, onError });
    this.volumes = new PodVolumes(o.volumesDir);
    this.tokens = new ServiceAccountTokenCache(o.client, o.log);
    this.probes = new ProbeManager({
      exec: (uid, container, argv, timeoutMs) => o.runtime.execInSandbox(uid, container, argv, timeoutMs),
      onChange: (uid) => this.queue.add(uid),
      onUnhealthy: (e) => {
        const pod = this.byUid.get(e.uid);
        if (pod) this.event(pod, 'Warning', 'Unhealthy', e.message);
      },
    });
    this.pods.addHandlers({
      onAdd: (p) => this.track(p),
      onUpdate: (_old, p) => this.track(p),
      onDelete: (p) => {
        const uid = p.metadata.uid!;
        this.byUid.delete(uid);
        this.queue.add(uid);
      },
    });
  }

  /** Lists pods and sandboxes, then syncs every pod and removes sandboxes no pod wants (after the list, never before). */
  async start(): Promise<void> {
    this.pods.start();
    await this.pods.waitForSync();
    await this.relist();
    for (const uid of new Set([...this.byUid.keys(), ...this.sandboxes.keys()])) this.queue.add(uid);
    const syncTracked = async (uid: string) => {
      this.syncing.add(uid);
      try {
        await this.sync(uid);
      } finally {
        this.syncing.delete(uid);
        if (this.byUid.has(uid) || this.sandboxes.has(uid)) this.syncedAt.set(uid, ++this.generation);
      }
    };
    this.workers = runWorkers(this.queue, POD_WORKERS, syncTracked, (uid, e) =>
      this.o.log(`pod ${this.describe(uid)}: ${(e as Error).message}`),
    );
    const loop = async () => {
      if (this.stopped) return;
      await this.relist().catch((e: Error) => this.o.log(`relist: ${e.message}`));
      if (Date.now() - this.volumesRefreshedAt >= VOLUME_REFRESH_MS) {
        this.volumesRefreshedAt = Date.now();
        for (const [uid, pod] of this.byUid) if (hasDataVolumes(pod)) this.queue.add(uid);
      }
      await this.o.runtime
        .rotateLogs?.(LOG_MAX_BYTES, LOG_KEEP)
        .catch((e: Error) => this.o.log(`log rotation: ${e.message}`));
      if (!this.stopped) this.relistTimer = setTimeout(() => void loop(), RELIST_MS);
    };
    // loop cannot reject: it catches the errors of each step.
    this.relistTimer = setTimeout(() => void loop(), RELIST_MS);
  }

  /** Stops syncing; pods keep running (a restarted agent adopts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.relistTimer) clearTimeout(this.relistTimer);
    this.probes.stopAll();
    this.queue.shutDown();
    await this.pods.stop();
    await this.workers;
  }

  private track(p: ApiPod): void {
    const uid = p.metadata.uid;
    if (!uid) return;
    // The PATCH reply we stored may be newer than a watch event still in flight;
    // going back to the older copy would plan from a stale status.
    if (!isOlder(p.metadata.resourceVersion, this.byUid.get(uid)?.metadata.resourceVersion)) this.byUid.set(uid, p);
    this.queue.add(uid);
  }

  /** A pod this node runs, with its sandbox as last relisted (for the streaming server). */
  lookup(namespace: string, name: string): { pod: ApiPod; sandbox: SandboxState | undefined } | undefined {
    for (const pod of this.byUid.values()) {
      if (pod.metadata.namespace === namespace && pod.metadata.name === name)
        return { pod, sandbox: this.sandboxes.get(pod.metadata.uid!) };
    }
    return undefined;
  }

  private describe(uid: string): string {
    const p = this.byUid.get(uid) ?? this.sandboxes.get(uid);
    const meta = p && 'metadata' in p ? p.metadata : p;
    return meta ? `${meta.namespace}/${meta.name}` : uid;
  }

  /** PLEG: re-read the runtime and sync every pod whose sandbox changed (a container exited, a holder died). */
  private async relist(): Promise<void> {
    const since = ++this.generation;
    const fresh = new Map((await this.o.runtime.listSandboxes()).map((s) => [s.uid, s]));
    // A pod synced while the runtime was being read has a newer view than this snapshot (which may
    // have caught its sandbox half-built, i.e. "not alive"): keep the sync's view, or the next sync
    // would kill and recreate a healthy sandbox.
    for (const uid of new Set([...fresh.keys(), ...this.sandboxes.keys()])) {
      if (!this.syncing.has(uid) && (this.syncedAt.get(uid) ?? 0) <= since) continue;
      const mine = this.sandboxes.get(uid);
      if (mine) fresh.set(uid, mine);
      else fresh.delete(uid);
    }
    for (const [uid, s] of fresh) {
      if (JSON.stringify(this.sandboxes.get(uid)) !== JSON.stringify(s)) this.queue.add(uid);
    }
    for (const uid of this.sandboxes.keys()) if (!fresh.has(uid)) this.queue.add(uid);
    this.sandboxes = fresh;
  }

  private async refreshSandbox(uid: string): Promise<SandboxState | undefined> {
    const s = (await this.o.runtime.listSandboxes()).find((x) => x.uid === uid);
    if (s) this.sandboxes.set(uid, s);
    else this.sandboxes.delete(uid);
    return s;
  }

  private async sync(uid: string): Promise<void> {
    const pod = this.byUid.get(uid);
    let sandbox = this.sandboxes.get(uid);
    if (!pod) {
      // Gone from the API: nothing of it may stay on the node.
      if (sandbox) {
        await this.o.runtime.removeSandbox(uid);
        await this.volumes.tearDown(uid);
        this.sandboxes.delete(uid);
        this.o.log(
          `removed pod ${sandbox.name ? `${sandbox.namespace}/${sandbox.name}` : `sandbox ${uid}`} (no longer bound here)`,
        );
      }
      this.forget(uid);
      return;
    }
    if (pod.metadata.deletionTimestamp) return this.terminate(pod, sandbox);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      if (sandbox) await this.teardown(pod, sandbox, 0);
      this.probes.removePod(uid);
      return;
    }

    const now = Date.now();
    const plan = planPod({ pod, sandbox, probe: this.probes.states(uid), backoff: this.backoff.get(uid) ?? {}, now });
    this.backoff.set(uid, { ...this.backoff.get(uid), ...plan.backoff });
    const waiting: Record<string, WaitingInfo | undefined> = { ...this.waiting.get(uid) };

    if (plan.killPod && plan.phase) {
      // Finished: its exit codes are published from this sandbox first, then it goes (below).
      if (sandbox) await this.stopAll(uid, sandbox, plan.gracePeriodSeconds);
      sandbox = sandbox && (await this.refreshSandbox(uid));
    } else if (plan.killPod) {
      if (sandbox) await this.teardown(pod, sandbox, plan.gracePeriodSeconds);
      sandbox = undefined;
    } else {
      for (const k of plan.kill) {
        this.o.log(`pod ${this.describe(uid)}: killing container ${k.name}: ${k.message}`);
        this.event(pod, 'Normal', 'Killing', k.message);
        await this.o.runtime.stopContainer(uid, k.name, k.gracePeriodSeconds);
      }
      if (plan.kill.length) {
        sandbox = await this.refreshSandbox(uid);
        // Killed containers restart on the next sync, as exited ones (under back-off).
        this.queue.add(uid);
      }
      if (plan.createSandbox) {
        if (sandbox) await this.o.runtime.removeSandbox(uid);
        sandbox = await this.createSandbox(pod, waiting);
      }
      if (sandbox?.alive) {
        if (Object.values(sandbox.containers).some((c) => c.state === 'running')) {
          // Keeps configMap and secret volumes of running containers current (a no-op when unchanged).
          const r = await this.volumes.setUp(pod, await this.volumeData(pod, sandbox));
          if ('error' in r) this.o.log(`pod ${this.describe(uid)}: volumes: ${r.error}`);
        }
        const starts = [
          ...(plan.startInit ? [{ ...plan.startInit, init: true }] : []),
          ...plan.start.map((s) => ({ ...s, init: false })),
        ];
        for (const s of starts) {
          const spec = (s.init ? (pod.spec.initContainers ?? []) : pod.spec.containers).find((c) => c.name === s.name);
          if (!spec) continue;
          const started = await this.startContainer(pod, sandbox, spec, s.attempt, waiting);
          if (started) sandbox = { ...sandbox, containers: { ...sandbox.containers, [spec.name]: started } };
        }
        this.sandboxes.set(uid, sandbox);
      }
    }
    for (const w of plan.waiting) {
      if (waiting[w.name]?.reason !== 'CrashLoopBackOff')
        this.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
      waiting[w.name] = { reason: 'CrashLoopBackOff', message: w.message };
    }
    this.waiting.set(uid, waiting);

    const status = podStatus({
      pod,
      sandbox,
      probe: this.probes.states(uid),
      waiting,
      now: Date.now(),
      hostIp: this.o.nodeIp,
      podIsTerminal: !!plan.phase,
    });
    await this.publish(pod, status);
    if (plan.phase && sandbox) {
      // Finished (restartPolicy said so): exit codes are in the API now, free the node.
      await this.teardown(pod, sandbox, 0);
      sandbox = undefined;
    }
    this.probes.syncPod(pod, sandbox);

    const retries = [
      ...plan.waiting.map((w) => w.retryAt),
      ...Object.values(waiting)
        .filter(
          (w) =>
            w?.reason === 'ErrImagePull' ||
            w?.reason === 'InvalidImageName' ||
            w?.reason === 'CreateContainerConfigError',
        )
        .map(() => now + IMAGE_RETRY_MS),
    ];
    if (retries.length) this.queue.addAfter(uid, Math.max(0, Math.min(...retries) - Date.now()));
  }

  private async createSandbox(
    pod: ApiPod,
    waiting: Record<string, WaitingInfo | undefined>,
  ): Promise<SandboxState | undefined> {
    const hostNetwork = !!pod.spec.hostNetwork;
    const names = podHostname(pod, this.o.clusterDomain);
    const ports = [...(pod.spec.initContainers ?? []), ...pod.spec.containers]
      .flatMap((c) => c.ports ?? [])
      .filter((p) => p.hostPort && !hostNetwork)
      .map((p) => ({
        hostPort: p.hostPort!,
        containerPort: p.containerPort,
        protocol: (p.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp',
      }));
    try {
      const sandbox = await this.o.runtime.createSandbox({
        uid: pod.metadata.uid!,
        namespace: pod.metadata.namespace ?? 'default',
        name: pod.metadata.name!,
        hostname: names.kernelHostname,
        hostNetwork,
        resolvConf: renderResolvConf(pod, {
          hostResolvConf: this.o.hostResolvConf,
          clusterDns: this.o.clusterDns,
          clusterDomain: this.o.clusterDomain,
        }),
        renderHosts: (ip) =>
          renderHosts(pod, ip, {
            clusterDomain: this.o.clusterDomain,
            nodeHosts: this.o.hostHosts ?? '127.0.0.1\tlocalhost\n',
          }),
        portMappings: ports,
        shareProcessNamespace: !!pod.spec.shareProcessNamespace,
      });
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) delete waiting[c.name];
      this.o.log(`pod ${pod.metadata.namespace}/${pod.metadata.name}: sandbox up, IP ${sandbox.ip}`);
      return sandbox;
    } catch (e) {
      const message = `failed to create pod sandbox: ${(e as Error).message}`;
      for (const c of pod.spec.containers) waiting[c.name] = { reason: 'ContainerCreating', message };
      throw new Error(message, { cause: e });
    }
  }

  /** Resolves env, command and image, writes the image's files, starts the process. Failures become the container's waiting reason. */
  private async startContainer(
    pod: ApiPod,
    sandbox: SandboxState,
    spec: ContainerSpec,
    attempt: number,
    waiting: Record<string, WaitingInfo | undefined>,
  ) {
    const data = await fetchContainerData(this.o.client, pod.metadata.namespace!, spec);
    const envResult = containerEnv(pod, spec, {
      podIp: sandbox.ip,
      hostIp: this.o.nodeIp,
      nodeName: this.o.nodeName,
      serviceAccountName: pod.spec.serviceAccountName,
      kubernetesService: this.o.kubernetesService,
      configMaps: data.configMaps,
      secrets: data.secrets,
    });
    if ('error' in envResult) {
      waiting[spec.name] = { reason: 'CreateContainerConfigError', message: envResult.error };
      return undefined;
    }
    const sec = containerSecurity(
      pod.spec,
      spec,
      `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid})`,
    );
    if ('error' in sec) {
      if (waiting[spec.name]?.message !== sec.error) this.event(pod, 'Warning', 'Failed', `Error: ${sec.error}`);
      waiting[spec.name] = { reason: 'CreateContainerConfigError', message: sec.error };
      return undefined;
    }
    let resources;
    try {
      resources = containerResources(spec, this.o.podPidsLimit);
    } catch (e) {
      waiting[spec.name] = { reason: 'CreateContainerConfigError', message: (e as Error).message };
      return undefined;
    }
    const vols = await this.volumes.setUp(pod, await this.volumeData(pod, sandbox));
    const mounts = 'error' in vols ? vols : containerBinds(spec.volumeMounts, pod.spec.volumes, vols.paths);
    if ('error' in mounts) {
      if (waiting[spec.name]?.message !== mounts.error) this.event(pod, 'Warning', 'FailedMount', mounts.error);
      waiting[spec.name] = { reason: 'CreateContainerConfigError', message: mounts.error };
      return undefined;
    }
    const { command, args } = expandCommand(spec, envResult.env);
    const dataDir = join(this.o.dataDir, pod.metadata.uid!, spec.name);
    const resolution = this.o.images.resolve({
      image: spec.image ?? '',
      command: spec.command ? command : undefined,
      args: spec.args ? args : undefined,
      dataDir,
      hostname: podHostname(pod, this.o.clusterDomain).kernelHostname,
    });
    if (!resolution.ok) {
      if (waiting[spec.name]?.reason !== resolution.reason)
        this.event(pod, 'Warning', 'Failed', `Error: ${resolution.reason}: ${resolution.message}`);
      waiting[spec.name] = { reason: resolution.reason, message: resolution.message };
      return undefined;
    }
    const image = resolution.image;
    for (const f of image.files) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.content, { mode: f.mode ?? 0o644 });
    }
    try {
      const state = await this.o.runtime.startContainer(pod.metadata.uid!, {
        name: spec.name,
        argv: image.argv,
        env: { ...image.env, ...envResult.env },
        workingDir: spec.workingDir ?? image.workingDir,
        attempt,
        stdin: spec.stdin === true,
        tty: spec.tty === true,
        security: sec.security,
        resources,
        binds: [{ source: dataDir, destination: dataDir, readOnly: false }, ...mounts.binds],
        imagePaths: image.hostPaths,
      });
      delete waiting[spec.name];
      if (attempt === 0)
        this.event(pod, 'Normal', 'Pulled', `Container image "${spec.image}" already present on machine`);
      this.event(pod, 'Normal', 'Created', `Created container ${spec.name}`);
      this.event(pod, 'Normal', 'Started', `Started container ${spec.name}`);
      return state;
    } catch (e) {
      waiting[spec.name] = { reason: 'CreateContainerError', message: (e as Error).message };
      return undefined;
    }
  }

  /** What the pod's volumes show: ConfigMaps, Secrets, ServiceAccount tokens, downward API fields. */
  private volumeData(pod: ApiPod, sandbox: SandboxState): Promise<VolumeSources> {
    const ctx = {
      podIp: sandbox.ip,
      hostIp: this.o.nodeIp,
      nodeName: this.o.nodeName,
      serviceAccountName: pod.spec.serviceAccountName,
    };
    return fetchVolumeData(this.o.client, pod, this.tokens, (item) => {
      if (item.fieldRef) return downwardFieldValue(pod, item.fieldRef.fieldPath, ctx);
      if (item.resourceFieldRef) return downwardResourceValue(pod, item.resourceFieldRef, ctx);
      return { error: 'an item needs fieldRef or resourceFieldRef' };
    });
  }

  /** Graceful deletion: stop containers within the grace period, free the node, then let the API forget the pod. */
  private async terminate(pod: ApiPod, sandbox: SandboxState | undefined): Promise<void> {
    const uid = pod.metadata.uid!;
    this.probes.removePod(uid);
    let grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (sandbox) {
      const running = Object.values(sandbox.containers).some((c) => c.state === 'running');
      if (running && this.o.drain && grace > 0) {
        // Out of every data plane first, so no new connection reaches a process that has stopped listening.
        const drained = await this.o.drain.wait(uid, drainBudgetMs(grace));
        const ms = Math.round(drained.ms);
        if (drained.decision.done)
          this.o.log(
            `pod ${this.describe(uid)}: left every endpoint consumer in ${ms} ms${drained.lastReason ? ` (last waited for: ${drained.lastReason})` : ''}`,
          );
        else warn(this.o.log, `pod ${this.describe(uid)}: stopping after ${ms} ms although ${drained.decision.reason}`);
        grace = Math.max(1, Math.ceil(grace - drained.ms / 1000));
      }
      await this.stopAll(uid, sandbox, grace);
      const stopped = await this.refreshSandbox(uid);
      const status = podStatus({
        pod,
        sandbox: stopped,
        probe: {},
        waiting: {},
        now: Date.now(),
        hostIp: this.o.nodeIp,
        podIsTerminal: false,
      });
      // Best effort: the pod object may already be gone; the sandbox goes either way.
      await this.publish(pod, status).catch(() => undefined);
      await this.o.runtime.removeSandbox(uid);
      await this.volumes.tearDown(uid);
      this.sandboxes.delete(uid);
    }
    try {
      await this.o.client.delete(podsRes, pod.metadata.namespace, pod.metadata.name!, {
        gracePeriodSeconds: 0,
        preconditions: { uid },
      });
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  private async teardown(pod: ApiPod, sandbox: SandboxState, grace: number): Promise<void> {
    await this.stopAll(pod.metadata.uid!, sandbox, grace);
    await this.o.runtime.removeSandbox(pod.metadata.uid!);
    await this.volumes.tearDown(pod.metadata.uid!);
    this.sandboxes.delete(pod.metadata.uid!);
  }

  private async stopAll(uid: string, sandbox: SandboxState, grace: number): Promise<void> {
    const running = Object.values(sandbox.containers).filter((c) => c.state === 'running');
    await Promise.all(running.map((c) => this.o.runtime.stopContainer(uid, c.name, grace)));
  }

  private async publish(pod: ApiPod, status: PodStatus): Promise<void> {
    if (statusEqual(pod.status, status)) return;
    try {
      const updated = await this.o.client.patch<ApiPod>(
        podsRes,
        pod.metadata.namespace,
        pod.metadata.name!,
        'merge',
        { metadata: { uid: pod.metadata.uid }, status },
        { subresource: 'status' },
      );
      if (this.byUid.has(pod.metadata.uid!)) this.byUid.set(pod.metadata.uid!, updated);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
  }

  /** kubelet-style Events (kubectl describe pod shows them); best effort. */
  private event(pod: ApiPod, type: EventType, reason: string, message: string): void {
    void recordEvent(
      this.o.client,
      this.o.log,
      { ...pod, apiVersion: 'v1', kind: 'Pod' },
      type,
      reason,
      message,
      'kubelet',
    );
  }

  private forget(uid: string): void {
    this.tokens.forget(uid);
    this.syncedAt.delete(uid);
    this.probes.removePod(uid);
    this.backoff.delete(uid);
    this.waiting.delete(uid);
  }
}

/** Whether a pod shows ConfigMaps, Secrets or tokens as files (they change under running containers). */
function hasDataVolumes(pod: ApiPod): boolean {
  return (pod.spec.volumes ?? []).some((v) => v.configMap || v.secret || v.projected || v.downwardAPI);
}
