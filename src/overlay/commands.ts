/** One kernel change -> the iproute2 command that makes it. Pure. */
import { ROUTE_PROTO } from './constants.js';
import type { Change } from './types.js';

export function changeToArgv(c: Change): string[] {
  switch (c.kind) {
    case 'route': {
      const r = c.entry;
      const via = r.via ? ['via', r.via] : [];
      if (c.op === 'del') {
        return [
          'ip',
          'route',
          'del',
          r.dst,
          ...via,
          'dev',
          r.dev,
          'proto',
          String(ROUTE_PROTO),
          ...(r.metric ? ['metric', String(r.metric)] : []),
        ];
      }
      return [
        'ip',
        'route',
        'replace',
        r.dst,
        ...via,
        'dev',
        r.dev,
        ...(r.onlink ? ['onlink'] : []),
        'proto',
        String(ROUTE_PROTO),
      ];
    }
    case 'neigh': {
      const n = c.entry;
      if (c.op === 'del') return ['ip', 'neigh', 'del', n.ip, 'dev', n.dev];
      return ['ip', 'neigh', 'replace', n.ip, 'lladdr', n.mac, 'dev', n.dev, 'nud', 'permanent'];
    }
    case 'fdb': {
      const f = c.entry;
      if (c.op === 'del') return ['bridge', 'fdb', 'del', f.mac, 'dev', f.dev, 'dst', f.dst, 'self'];
      return ['bridge', 'fdb', 'replace', f.mac, 'dev', f.dev, 'dst', f.dst, 'self', 'permanent'];
    }
  }
}

/** A change as one readable line for the log. */
export const describeChange = (c: Change): string => changeToArgv(c).join(' ');
