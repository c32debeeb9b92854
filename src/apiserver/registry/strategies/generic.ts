/** Strategies shared by several kinds. */
import type { KObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';

export const ingressStrategy: Strategy = {
  prepareForCreate(obj: KObject) {
    obj.status = { loadBalancer: {} };
  },
  tracksGeneration: true,
};

export const generationStrategy: Strategy = { tracksGeneration: true };
