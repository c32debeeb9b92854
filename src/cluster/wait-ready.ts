/**
 * Waiting for the API server and the nodes, failing early (with the log of
 * the culprit) when a process dies instead of running out the clock.
 */
import { KubeClient } from '../client/index.js';
import { findResource } from '../api/resources.js';
import { indent, tailFile } from './log-tail.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Watched {
  name: string;
  log: string;
  alive: () => boolean;
}

function diedError(p: Watched, what: string): Error {
  return new Error(
    `${p.name} exited while ${what}. Last lines of ${p.log}:\n${indent(tailFile(p.log))}\nFix the cause, then run "podnet up" again (it restarts only what is down), or "podnet down" to stop the rest.`,
  );
}

export async function waitApiserverReady(client: KubeClient, proc: Watched, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const r = await client.raw('GET', '/readyz');
      if (r.status === 200) return;
      last = `/readyz answered ${r.status}: ${r.body.trim()}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (!proc.alive()) throw diedError(proc, 'starting');
    if (Date.now() > deadline) {
      throw new Error(
        `the API server was not ready within ${timeoutMs / 1000} s (${last}). Last lines of ${proc.log}:\n${indent(tailFile(proc.log))}`,
      );
    }
    await sleep(250);
  }
}

interface NodeObj {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** Why a Node is not Ready, or undefined when it is. */
function notReadyReason(node: NodeObj | undefined): string | undefined {
  if (!node) return 'not registered yet';
  const c = node.status?.conditions?.find((x) => x.type === 'Ready');
  if (c?.status === 'True') return undefined;
  return c
    ? `Ready=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`
    : 'no Ready condition yet';
}

export async function waitNodesReady(
  client: KubeClient,
  agents: readonly Watched[],
  timeoutMs: number,
  progress: (s: string) => void,
): Promise<void> {
  const nodes = findResource('', 'v1', 'nodes')!;
  const deadline = Date.now() + timeoutMs;
  let reported = '';
  let waiting: { agent: Watched; why: string }[];
  for (;;) {
    let byName = new Map<string, NodeObj>();
    let listError = '';
    try {
      const list = await client.list(nodes);
      byName = new Map((list.items as unknown as NodeObj[]).map((n) => [n.metadata.name, n]));
    } catch (e) {
      listError = (e as Error).message;
    }
    waiting = agents
      .map((agent) => ({ agent, why: listError || notReadyReason(byName.get(agent.name)) || '' }))
      .filter((w) => w.why);
    if (waiting.length === 0) return;
    const dead = waiting.find((w) => !w.agent.alive());
    if (dead) throw diedError(dead.agent, `registering node ${dead.agent.name}`);
    const now = `waiting for ${waiting.map((w) => w.agent.name).join(', ')} to be Ready`;
    if (now !== reported) {
      progress(now);
      reported = now;
    }
    if (Date.now() > deadline) break;
    await sleep(500);
  }
  const details = waiting
    .map((w) => `${w.agent.name}: ${w.why}; last lines of ${w.agent.log}:\n${indent(tailFile(w.agent.log))}`)
    .join('\n');
  throw new Error(
    `not every node was Ready within ${timeoutMs / 1000} s:\n${details}\nThe agents keep running: check again with "kubectl get nodes", rerun "podnet up" with a larger --timeout, or "podnet down".`,
  );
}
