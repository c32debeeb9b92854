/**
 * What netexec's UDP server answers: "hostname", "echo <msg>", "clientip".
 * Like agnhost, the datagram is trimmed and lower-cased first, and unknown
 * commands get no answer. Pure.
 */

export function udpAnswer(datagram: string, hostname: string, client: string): string | undefined {
  const text = datagram.trim().toLowerCase();
  if (text === 'hostname') return hostname;
  if (text.startsWith('echo ')) return text.slice('echo '.length);
  if (text === 'clientip') return client;
  return undefined;
}
