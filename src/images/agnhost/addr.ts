/** Addresses printed the way Go prints them: IPv4 unmapped, IPv6 in brackets. Pure. */

const unmapIPv4 = (ip: string): string => (ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip);

export const joinHostPort = (host: string, port: number | string): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

export const remoteAddr = (ip: string | undefined, port: number | undefined): string =>
  joinHostPort(unmapIPv4(ip ?? ''), port ?? 0);
