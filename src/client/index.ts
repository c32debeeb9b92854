/** The client every podnet component uses to reach the API server. */
export { KubeClient } from './client.js';
export type {
  KubeClientOptions,
  ListOptions,
  WatchOptions,
  WriteOptions,
  PatchOptions,
  PatchType,
  DeleteOptions,
} from './client.js';
export { loadKubeconfig, type ClientConfig } from './kubeconfig.js';
export { resourcePath, groupVersionPath, type ResourceRef } from './resource-path.js';
export type { WatchStream } from './watch-stream.js';
export { Informer, keyOf, splitKey, type InformerHandlers, type InformerOptions, type IndexFunc } from './informer.js';
export { WorkQueue, runWorkers, type WorkQueueOptions } from './workqueue.js';
export {
  apiErrorFromResponse,
  apiErrorFromStatus,
  isApiError,
  isNotFound,
  isConflict,
  isAlreadyExists,
  isExpired,
} from './api-error.js';
