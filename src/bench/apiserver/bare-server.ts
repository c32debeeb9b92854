/**
 * The API server alone, as its own process: `startApiServer` with the
 * controllers off, so the benchmark measures the API and store without the
 * controllers' own writes (EndpointSlices for every Service, scheduling),
 * nor the allocation repair, which lists every Service once a minute and
 * at 100,000 Services would land in the middle of some measured runs.
 * Prints the same "listening on URL" line as `podnet apiserver` and stops
 * on SIGTERM/SIGINT. Usage: node bare-server.js --state DIR --listen HOST:PORT [--etcd-servers URL,...]
 */
import { parseArgs } from 'node:util';
import { startApiServer } from '../../apiserver/server.js';
import { parseListen } from '../../cli/apiserver.js';

const { values } = parseArgs({
  options: {
    state: { type: 'string' },
    listen: { type: 'string', default: '127.0.0.1:0' },
    'etcd-servers': { type: 'string' },
  },
  strict: true,
});
if (!values.state) {
  process.stderr.write('bare-server: --state DIR is required\n');
  process.exit(2);
}
const { host, port } = parseListen(values.listen);
const etcdServers = values['etcd-servers'];
const server = await startApiServer({
  stateDir: values.state,
  host,
  port,
  controllers: false,
  allocationRepairMs: 0,
  ...(etcdServers && { etcd: { servers: etcdServers.split(',') } }),
});
process.stdout.write(
  `podnet apiserver (no controllers) listening on ${server.url}\nkubeconfig: ${server.kubeconfigPath}\n`,
);
await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await server.close();
