/**
 * Small hand-built schemas for the patch tests: a Pod-like and a
 * Service-like kind carrying the patch metadata Kubernetes publishes for them.
 */
import type { Definitions, Schema } from '../../api/schema/types.js';

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const labels: Schema = { type: 'map', values: str };

const testDefinitions: Definitions = {
  ObjectMeta: {
    type: 'object',
    properties: {
      name: str,
      namespace: str,
      uid: str,
      resourceVersion: str,
      generation: int,
      creationTimestamp: str,
      labels,
      annotations: labels,
      finalizers: { type: 'array', items: str, patchStrategy: 'merge', listType: 'set' },
      ownerReferences: {
        type: 'array',
        mergeKey: 'uid',
        patchStrategy: 'merge',
        listType: 'map',
        listMapKeys: ['uid'],
        items: {
          type: 'object',
          properties: { apiVersion: str, kind: str, name: str, uid: str, controller: { type: 'boolean' } },
        },
      },
      managedFields: { type: 'array', items: { type: 'any' }, listType: 'atomic' },
    },
  },
  ContainerPort: { type: 'object', properties: { name: str, containerPort: int, protocol: str, hostPort: int } },
  EnvVar: { type: 'object', properties: { name: str, value: str } },
  Container: {
    type: 'object',
    properties: {
      name: str,
      image: str,
      args: { type: 'array', items: str },
      ports: {
        type: 'array',
        items: { type: 'ref', ref: 'ContainerPort' },
        mergeKey: 'containerPort',
        patchStrategy: 'merge',
        listType: 'map',
        listMapKeys: ['containerPort', 'protocol'],
      },
      env: {
        type: 'array',
        items: { type: 'ref', ref: 'EnvVar' },
        mergeKey: 'name',
        patchStrategy: 'merge',
        listType: 'map',
        listMapKeys: ['name'],
      },
      resources: { type: 'object', properties: { limits: { type: 'map', values: { type: 'quantity' } } } },
    },
  },
  Volume: {
    type: 'object',
    retainKeys: true,
    properties: {
      name: str,
      emptyDir: { type: 'object', properties: { medium: str } },
      hostPath: { type: 'object', properties: { path: str, type: str } },
      configMap: { type: 'object', properties: { name: str } },
    },
  },
  PodSpec: {
    type: 'object',
    properties: {
      containers: {
        type: 'array',
        items: { type: 'ref', ref: 'Container' },
        mergeKey: 'name',
        patchStrategy: 'merge',
        listType: 'map',
        listMapKeys: ['name'],
      },
      volumes: {
        type: 'array',
        items: { type: 'ref', ref: 'Volume' },
        mergeKey: 'name',
        patchStrategy: 'merge,retainKeys',
        listType: 'map',
        listMapKeys: ['name'],
      },
      tolerations: {
        type: 'array',
        items: { type: 'object', properties: { key: str, operator: str } },
        listType: 'atomic',
      },
      nodeSelector: labels,
      nodeName: str,
      dnsConfig: { type: 'object', atomic: true, properties: { nameservers: { type: 'array', items: str } } },
    },
  },
  Pod: {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { type: 'ref', ref: 'ObjectMeta' },
      spec: { type: 'ref', ref: 'PodSpec' },
      status: { type: 'object', properties: { phase: str, podIP: str } },
    },
  },
  ServicePort: {
    type: 'object',
    properties: { name: str, port: int, targetPort: { type: 'int-or-string' }, protocol: str, nodePort: int },
  },
  Service: {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { type: 'ref', ref: 'ObjectMeta' },
      spec: {
        type: 'object',
        properties: {
          type: str,
          clusterIP: str,
          selector: labels,
          ports: {
            type: 'array',
            items: { type: 'ref', ref: 'ServicePort' },
            mergeKey: 'port',
            patchStrategy: 'merge',
            listType: 'map',
            listMapKeys: ['port', 'protocol'],
          },
        },
      },
    },
  },
};

export const testResolve = (s: Schema): Schema => {
  if (s.type !== 'ref') return s;
  const d = testDefinitions[s.ref];
  if (!d) throw new Error(`no definition ${s.ref}`);
  return d;
};

export const podSchema = testDefinitions.Pod!;
export const serviceSchema = testDefinitions.Service!;
