/**
 * TCP connections made inside a network namespace, in-process: the socket is
 * created in the pod's namespace by the native module (src/native/
 * netns_dial.c) and used from here like any other. A socket keeps the
 * namespace it was born in, so the rest of its life needs no namespace
 * switch and no relay process.
 */
import { Socket } from 'node:net';
import { loadNative } from '../native/native.js';
import { netnsPath } from './exec.js';

/** Whether connections can be made in-process (the native module is built); otherwise callers use a relay. */
export const canDialInNetns = (): boolean => loadNative()?.dialInNetns !== undefined;

/**
 * A connection to 127.0.0.1:port in the network namespace netns (a name
 * under /run/netns or a path), or in the node's own when netns is undefined.
 * Half-open: the far side's end leaves this side writable. Rejects with the
 * reason when nothing accepts there.
 */
export async function dialLoopback(netns: string | undefined, port: number): Promise<Socket> {
  if (netns === undefined) return dialHostLoopback(port);
  const native = loadNative();
  if (!native?.dialInNetns)
    throw new Error('the native module is not built: no in-process dial into a network namespace');
  const fd = await native.dialInNetns(netnsPath(netns), port);
  return new Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
}

function dialHostLoopback(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = new Socket({ allowHalfOpen: true });
    s.once('error', (e) => reject(new Error(`connect(127.0.0.1:${port}): ${e.message}`)));
    s.connect(port, '127.0.0.1', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
  });
}
