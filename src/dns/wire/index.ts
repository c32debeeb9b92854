/** The DNS wire codec: messages, names, EDNS0. */
export * from './types.js';
export { parseMessage, serializeMessage, writeRecord, type SerializeOptions } from './message.js';
export { readName, nameToLabels, lowerName } from './name.js';
export { WireWriter, ipv6ToBytes, bytesToIpv6 } from './writer.js';
export { getEdns, optRecord, type Edns } from './edns.js';
