/**
 * etcd's answers turned into StoreErrors. etcd reports a read below the
 * compacted revision and one above the current revision as gRPC OUT_OF_RANGE
 * with these messages (mvcc.ErrCompacted, mvcc.ErrFutureRev).
 */
import { StoreError } from '../store.js';

const compactedMessage = 'required revision has been compacted';
const futureMessage = 'required revision is a future revision';

export function storeErrorOf(err: unknown, revision?: number): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes(compactedMessage)) {
    return new StoreError('Compacted', `revision ${revision ?? '?'} has been compacted`, undefined, revision);
  }
  if (message.includes(futureMessage)) {
    return new StoreError('FutureRevision', `revision ${revision ?? '?'} is newer than the store's current revision`);
  }
  return err;
}

export const closedError = (): StoreError => new StoreError('Closed', 'the etcd store is closed');
