/**
 * Where things live in a cluster's state directory DIR:
 *   cluster.json           the layout (layout.ts)
 *   kubeconfig, tokens.json, pki/, db/   the API server's own state (DIR is its --state)
 *   pids/<proc>.json       processes `up` started (process-table.ts): apiserver, console, one per node
 *   logs/<proc>.log        their stdout+stderr
 *   nodes/<node>/          each node agent's --state
 *   nodes/<node>/pki/      its streaming endpoint's certificate (node.crt, node.key)
 *   nodes/<node>/kubeconfig   the agent's credentials (user system:node:<node>), mode 0600
 *   addons/<name>.kubeconfig  an add-on's credentials (its ServiceAccount's token), mode 0600
 *   routers/<node>/        the router pod's HAProxy files on each node (config, maps, sockets)
 *   pki/etcd/              etcd's own CA, each member's peer/serving certificate, the API servers' client certificate (--store etcd)
 *   etcd/<member>/         each etcd member's data dir (--store etcd)
 *   up.lock                held while up/down run
 */
import { join } from 'node:path';

export const clusterFile = (dir: string): string => join(dir, 'cluster.json');
export const kubeconfigPath = (dir: string): string => join(dir, 'kubeconfig');
export const caCertPath = (dir: string): string => join(dir, 'pki', 'ca.crt');
export const pidsDir = (dir: string): string => join(dir, 'pids');
export const pidFile = (dir: string, proc: string): string => join(dir, 'pids', `${proc}.json`);
export const logFile = (dir: string, proc: string): string => join(dir, 'logs', `${proc}.log`);
export const nodeStateDir = (dir: string, node: string): string => join(dir, 'nodes', node);
export const nodePkiDir = (dir: string, node: string): string => join(dir, 'nodes', node, 'pki');
export const nodeKubeconfigPath = (dir: string, node: string): string => join(dir, 'nodes', node, 'kubeconfig');
export const addonKubeconfigPath = (dir: string, addon: string): string => join(dir, 'addons', `${addon}.kubeconfig`);
export const routersDir = (dir: string): string => join(dir, 'routers');
export const routerRunDir = (dir: string, node: string): string => join(dir, 'routers', node);
export const etcdPkiDir = (dir: string): string => join(dir, 'pki', 'etcd');
export const etcdDataDir = (dir: string, member: string): string => join(dir, 'etcd', member);
export const lockFile = (dir: string): string => join(dir, 'up.lock');

/** The process name of the API server in pids/ and logs/; node agents use their node name. */
const APISERVER = 'apiserver';
/** The web console's process name in pids/ and logs/. */
export const CONSOLE = 'console';

/** API server i's process name (from 1): "apiserver", then "apiserver2", ... */
export const apiserverProcessName = (index: number): string => (index === 1 ? APISERVER : `${APISERVER}${index}`);
/** etcd member i's process name: "etcd1", ... */
export const etcdProcessName = (index: number): string => `etcd${index}`;
