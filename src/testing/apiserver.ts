/**
 * A real API server in this process for one test: on 127.0.0.1:0 with a
 * fresh state directory and an admin client, closed and removed when the
 * test ends, passed or not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { KubeClient } from '../client/client.js';
import { startApiServer, type RunningApiServer } from '../apiserver/server.js';

export async function testApiServer(
  t: TestContext,
  opts: { controllers?: boolean } = {},
): Promise<{ server: RunningApiServer; client: KubeClient; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-test-apiserver-'));
  const server = await startApiServer({ stateDir: dir, host: '127.0.0.1', port: 0, ...opts });
  const client = KubeClient.fromKubeconfig(server.kubeconfigPath);
  t.after(async () => {
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, client, dir };
}
