import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** deploy/k8s/ */
export const K8S_DIR = fileURLToPath(new URL('../', import.meta.url));
/** The generated PrometheusRule, in the base. */
export const PROMETHEUS_RULE_FILE = fileURLToPath(new URL('../base/monitoring/prometheus-rule.yaml', import.meta.url));
/** The k6 scripts bundled into one file each, for the TestRuns' ConfigMap. */
export const K6_SCRIPTS_DIR = fileURLToPath(new URL('../k6/scripts/', import.meta.url));
