/** Choosing the API server's port on the bridge address. */
import { createServer } from 'node:net';

function tryListen(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen({ host, port, exclusive: true }, () => {
      const got = (s.address() as { port: number }).port;
      s.close(() => resolve(got));
    });
  });
}

/** `preferred` when free on host, else any free port there. */
export async function freePort(host: string, preferred: number): Promise<number> {
  const port = (await tryListen(host, preferred)) ?? (await tryListen(host, 0));
  if (port === undefined) throw new Error(`cannot listen on ${host}: no free port; is the bridge address configured?`);
  return port;
}

export const portFree = async (host: string, port: number): Promise<boolean> =>
  (await tryListen(host, port)) !== undefined;
