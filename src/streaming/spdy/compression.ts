/**
 * Header-block compression of one SPDY/3 connection: one zlib context per
 * direction for the whole connection (the dictionary is only sent once, and
 * each block continues the previous one), each block ended with a sync flush.
 * A fresh inflate per block would not work: the contexts carry over.
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';

type ZStream = Inflate | Deflate;

/** Runs one block through a zlib stream and collects its output up to the sync flush. */
function through(z: ZStream, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (c: Buffer) => out.push(c);
    const onError = (e: Error) => {
      z.off('data', onData);
      reject(e);
    };
    z.on('data', onData);
    z.once('error', onError);
    z.write(data);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('data', onData);
      z.off('error', onError);
      resolve(Buffer.concat(out));
    });
  });
}

export class HeaderCompression {
  private readonly inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  /** Blocks must pass through each context in frame order. */
  private inChain: Promise<unknown> = Promise.resolve();
  private outChain: Promise<unknown> = Promise.resolve();

  decompress(block: Buffer): Promise<Buffer> {
    const next = this.inChain.then(() => through(this.inflate, block));
    this.inChain = next.catch(() => undefined); // the caller gets the error from `next`; the chain only orders
    return next;
  }

  compress(block: Buffer): Promise<Buffer> {
    const next = this.outChain.then(() => through(this.deflate, block));
    this.outChain = next.catch(() => undefined); // as above
    return next;
  }

  close(): void {
    this.inflate.close();
    this.deflate.close();
  }
}
