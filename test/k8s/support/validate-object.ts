import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { K8S_DIR } from '../../../deploy/k8s/src/paths.ts';
import type { K8sObject } from './kustomize.ts';

/** The custom resources the manifests use, each checked against a schema the project keeps. */
const CUSTOM_SCHEMAS: Readonly<Record<string, string>> = {
  'monitoring.coreos.com/v1 PodMonitor': 'podmonitor.schema.json',
  'monitoring.coreos.com/v1 PrometheusRule': 'prometheusrule.schema.json',
  'k6.io/v1alpha1 TestRun': 'testrun.schema.json',
};

/**
 * Core Kubernetes types inside a TestRun's pod settings (runner, starter, initializer), by
 * field: kubernetes-models' schema validator of each (its _schemas modules).
 */
const POD_FIELD_TYPES: Readonly<Record<string, { schema: string; list: boolean }>> = {
  affinity: { schema: 'IoK8sApiCoreV1Affinity', list: false },
  env: { schema: 'IoK8sApiCoreV1EnvVar', list: true },
  envFrom: { schema: 'IoK8sApiCoreV1EnvFromSource', list: true },
  imagePullSecrets: { schema: 'IoK8sApiCoreV1LocalObjectReference', list: true },
  tolerations: { schema: 'IoK8sApiCoreV1Toleration', list: true },
  topologySpreadConstraints: { schema: 'IoK8sApiCoreV1TopologySpreadConstraint', list: true },
  resources: { schema: 'IoK8sApiCoreV1ResourceRequirements', list: false },
  securityContext: { schema: 'IoK8sApiCoreV1PodSecurityContext', list: false },
  containerSecurityContext: { schema: 'IoK8sApiCoreV1SecurityContext', list: false },
  readinessProbe: { schema: 'IoK8sApiCoreV1Probe', list: false },
  livenessProbe: { schema: 'IoK8sApiCoreV1Probe', list: false },
  volumes: { schema: 'IoK8sApiCoreV1Volume', list: true },
  volumeMounts: { schema: 'IoK8sApiCoreV1VolumeMount', list: true },
};

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const compiled = new Map<string, Promise<ValidateFunction>>();

function customValidator(file: string): Promise<ValidateFunction> {
  let validator = compiled.get(file);
  if (validator === undefined) {
    validator = readFile(join(K8S_DIR, 'schemas', file), 'utf8').then((text) => ajv.compile(JSON.parse(text) as object));
    compiled.set(file, validator);
  }
  return validator;
}

type SchemaValidate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; keyword: string; params?: unknown }> | null };

async function coreSchema(name: string): Promise<SchemaValidate> {
  return ((await import(`kubernetes-models/_schemas/${name}`)) as { validate: SchemaValidate }).validate;
}

/** The kubernetes-models class for a core apiVersion and kind, or undefined. */
async function coreModel(apiVersion: string, kind: string): Promise<(new (data: unknown) => { validate(): void }) | undefined> {
  try {
    const module = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
    return module[kind] as (new (data: unknown) => { validate(): void }) | undefined;
  } catch {
    return undefined;
  }
}

function describeObject(object: K8sObject): string {
  return `${object.apiVersion} ${object.kind} ${object.metadata?.name ?? '(no name)'}`;
}

/**
 * What is wrong with one built object ([] when nothing): a core kind against kubernetes-models
 * (the Kubernetes OpenAPI schemas), a custom resource against deploy/k8s/schemas/. An object
 * of any other kind is itself a problem: nothing would check it.
 */
export async function validateObject(object: K8sObject): Promise<string[]> {
  const where = describeObject(object);
  const schemaFile = CUSTOM_SCHEMAS[`${object.apiVersion} ${object.kind}`];
  if (schemaFile !== undefined) {
    const validate = await customValidator(schemaFile);
    const problems = validate(object) ? [] : (validate.errors ?? []).map((error) => `${where}: ${error.instancePath || '/'} ${error.message ?? error.keyword}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`);
    if (object.kind === 'TestRun') problems.push(...(await validateTestRunPods(object, where)));
    return problems;
  }
  const Model = await coreModel(object.apiVersion, object.kind);
  if (Model === undefined) return [`${where}: neither a kubernetes-models kind nor one of deploy/k8s/schemas/ (${Object.keys(CUSTOM_SCHEMAS).join(', ')})`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
}

async function validateTestRunPods(object: K8sObject, where: string): Promise<string[]> {
  const problems: string[] = [];
  const spec = (object.spec ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const podName of ['runner', 'starter', 'initializer']) {
    const pod = spec[podName];
    if (pod === undefined) continue;
    for (const [field, { schema, list }] of Object.entries(POD_FIELD_TYPES)) {
      const value = pod[field];
      if (value === undefined) continue;
      const validate = await coreSchema(schema);
      const items = list ? (value as unknown[]) : [value];
      items.forEach((item, index) => {
        if (!validate(item)) {
          const path = `/spec/${podName}/${field}${list ? `/${index}` : ''}`;
          for (const error of validate.errors ?? []) problems.push(`${where}: ${path}${error.instancePath} ${error.message ?? error.keyword} ${JSON.stringify(error.params ?? {})} (${schema})`);
        }
      });
    }
  }
  return problems;
}
