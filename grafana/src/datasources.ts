import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

// The uids provisioned by grafana/provisioning/datasources/datasources.yaml (a contract: see
// shared/DESIGN.md). test/bundle/dashboards.test.ts checks every uid the dashboards use exists.
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
export const TEMPO: DataSourceRef = { type: 'tempo', uid: 'tempo' };
