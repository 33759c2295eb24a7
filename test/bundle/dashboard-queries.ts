/** A PromQL expression found in a generated dashboard, and where it came from (for messages). */
export interface DashboardQuery {
  dashboard: string;
  /** e.g. `panel "Throughput: $scenario" A`, `annotation "threads active"`, `variable scenario`. */
  where: string;
  kind: 'range' | 'instant' | 'annotation' | 'variable';
  expr: string;
  /** The panel asks Prometheus for exemplars (latency panels). */
  exemplar: boolean;
}

interface DashboardTarget {
  expr?: string;
  refId?: string;
  instant?: boolean;
  exemplar?: boolean;
  datasource?: { uid?: string };
}
interface DashboardPanel {
  title?: string;
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
  datasource?: { uid?: string };
}
/** The parts of Grafana's dashboard JSON that hold queries and datasource references. */
export interface DashboardJson {
  title: string;
  panels?: DashboardPanel[];
  annotations?: { list?: Array<{ name?: string; expr?: string; datasource?: { uid?: string } }> };
  templating?: { list?: Array<{ name: string; query?: string | { query?: string }; datasource?: { uid?: string } }> };
}

function* panelsOf(panels: readonly DashboardPanel[] | undefined): Generator<DashboardPanel> {
  for (const panel of panels ?? []) {
    yield panel;
    // Collapsed rows hold their panels inside.
    yield* panelsOf(panel.panels);
  }
}

/** Every PromQL expression of a dashboard: panel targets, annotations and query variables. */
export function dashboardQueries(dashboard: DashboardJson): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const panel of panelsOf(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      if (target.expr === undefined) continue;
      queries.push({
        dashboard: dashboard.title,
        where: `panel "${panel.title ?? ''}" ${target.refId ?? ''}`,
        kind: target.instant === true ? 'instant' : 'range',
        expr: target.expr,
        exemplar: target.exemplar === true,
      });
    }
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (annotation.expr === undefined) continue;
    queries.push({ dashboard: dashboard.title, where: `annotation "${annotation.name ?? ''}"`, kind: 'annotation', expr: annotation.expr, exemplar: false });
  }
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (query === undefined) continue;
    queries.push({ dashboard: dashboard.title, where: `variable ${variable.name}`, kind: 'variable', expr: query, exemplar: false });
  }
  return queries;
}

/** Every datasource uid the dashboard refers to (panels, targets, annotations, variables). */
export function datasourceUids(dashboard: DashboardJson): Set<string> {
  const uids = new Set<string>();
  const add = (ref: { uid?: string } | undefined): void => {
    // `-- Grafana --` and friends are Grafana's built-ins, not provisioned datasources.
    if (ref?.uid !== undefined && !ref.uid.startsWith('-- ')) uids.add(ref.uid);
  };
  for (const panel of panelsOf(dashboard.panels)) {
    add(panel.datasource);
    for (const target of panel.targets ?? []) add(target.datasource);
  }
  for (const annotation of dashboard.annotations?.list ?? []) add(annotation.datasource);
  for (const variable of dashboard.templating?.list ?? []) add(variable.datasource);
  return uids;
}
