import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { K8S_DIR } from '../../../deploy/k8s/src/paths.ts';
import { resolveTool } from '../../support/tools.ts';

/** One object of a kustomize build, as plain data. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * How to run kustomize: `kubectl kustomize` (what `kubectl apply -k` uses) when its embedded
 * kustomize is v5, else the `kustomize` binary that `npm run tools` builds. Fails with a
 * message saying where each comes from.
 */
async function kustomizeCommand(): Promise<[string, string[]]> {
  const problems: string[] = [];
  try {
    const kubectl = resolveTool('kubectl');
    const { stdout } = await promisify(execFile)(kubectl, ['version', '--client'], { timeout: 30_000 });
    if (/Kustomize Version: v5\./.test(stdout)) return [kubectl, ['kustomize']];
    problems.push(`${kubectl} embeds an older kustomize (${stdout.replaceAll('\n', '; ')})`);
  } catch (error) {
    problems.push((error as Error).message);
  }
  try {
    return [resolveTool('kustomize'), ['build']];
  } catch (error) {
    problems.push((error as Error).message);
  }
  throw new Error(`no kustomize v5 to build deploy/k8s with: ${problems.join('; ')}`);
}

let command: Promise<[string, string[]]> | undefined;

const builds = new Map<string, Promise<K8sObject[]>>();

/**
 * `kubectl kustomize <dir>` (dir relative to deploy/k8s/), parsed into objects. Built once per
 * test file; callers get copies, so one test's edits do not leak into another's.
 */
export async function kustomizeBuild(dir: string): Promise<K8sObject[]> {
  let build = builds.get(dir);
  if (build === undefined) {
    build = runKustomize(dir);
    builds.set(dir, build);
  }
  return structuredClone(await build);
}

async function runKustomize(dir: string): Promise<K8sObject[]> {
  command ??= kustomizeCommand();
  const [file, args] = await command;
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(file, [...args, join(K8S_DIR, dir)], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${file} ${args.join(' ')} deploy/k8s/${dir} failed:\n${stderr ?? (error as Error).message}`);
  }
  return parseAllDocuments(stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`deploy/k8s/${dir}: ${document.errors.join('; ')}`);
    return document.toJS() as K8sObject;
  });
}

/**
 * Every folder under deploy/k8s/ holding a kustomization that builds on its own (components,
 * kind: Component, only build inside another kustomization), relative to deploy/k8s/.
 */
export async function kustomizationDirs(): Promise<string[]> {
  const dirs: string[] = [];
  for (const entry of await readdir(K8S_DIR, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name !== 'kustomization.yaml') continue;
    const path = join(entry.parentPath, entry.name);
    if (/^kind:\s*Component\s*$/m.test(await readFile(path, 'utf8'))) continue;
    dirs.push(relative(K8S_DIR, entry.parentPath));
  }
  return dirs.toSorted();
}

/** The one object of a kind and name; fails naming what there is. */
export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  // A generated ConfigMap carries a content hash: lab-env-mmdmct6dd2.
  const hashed = new RegExp(`^${name}-[a-z0-9]{10}$`);
  const found = objects.filter((object) => object.kind === kind && (object.metadata.name === name || hashed.test(object.metadata.name)));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${name}, found ${found.length}: ${objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ')}`);
  }
  return found[0]!;
}

