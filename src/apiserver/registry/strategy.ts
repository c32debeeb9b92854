/**
 * What differs between resources when they are written: which parts a
 * create may set, what an update keeps from the old object, how a delete
 * proceeds, and side effects that must happen with the write (allocations).
 */
import type { KObject } from '../../api/meta.js';
import type { ResourceInfo } from '../../api/resources.js';

export interface WriteContext {
  dryRun: boolean;
  now: Date;
}

/** Undo for a side effect done before a write that then failed. */
export type Undo = () => Promise<void>;

export interface Strategy {
  /** Reset what a create may not set (e.g. status). Runs before defaults. */
  prepareForCreate?(obj: KObject): void;
  /** Copy over what an update of the main resource (or of `subresource`) may not change. */
  prepareForUpdate?(obj: KObject, old: KObject, subresource: string | undefined): void;
  /** Side effects that must exist before the object is stored (e.g. ClusterIP allocation). Throws ApiError to refuse. */
  beforeCreate?(obj: KObject, ctx: WriteContext): Promise<Undo>;
  beforeUpdate?(obj: KObject, old: KObject, ctx: WriteContext): Promise<Undo>;
  /** After an update was stored (e.g. release what the old object held). */
  afterUpdate?(obj: KObject, old: KObject): Promise<void>;
  /** After the object left the store for good. */
  afterDelete?(obj: KObject): Promise<void>;
  /** Graceful deletion: seconds to wait (object stays with deletionTimestamp), or 0 to delete now. */
  gracePeriod?(obj: KObject, requested: number | undefined): number;
  /** Whether metadata.generation tracks spec changes for this kind. */
  tracksGeneration?: boolean;
  /** Objects of this kind own nothing: a delete adds no orphan or foregroundDeletion finalizer. */
  noDependents?: boolean;
  /** A delete that removed the object answers with the object, not a Status (kube's ReturnDeletedObject). */
  returnsDeletedObject?: boolean;
}

export type StrategyTable = Partial<Record<string, Strategy>>;

export const strategyKey = (ri: ResourceInfo) => `${ri.group}/${ri.resource}`;
