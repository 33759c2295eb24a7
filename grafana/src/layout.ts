import {
  AnnotationQueryBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS } from './datasources.ts';
import { buildPanel, type PanelSpec } from './panels.ts';

/** A multi-value variable over the values of one label of one metric, "All" by default. */
export interface VariableSpec {
  name: string;
  label: string;
  metric: string;
  /** The label whose values are offered; default `name`. */
  labelName?: string;
  description: string;
}

/** A Prometheus annotation: every step where `expr` has a value is marked; runs join into regions. */
export interface AnnotationSpec {
  name: string;
  expr: string;
  color: string;
  title: string;
}

export interface RowSpec {
  title: string;
  /** Repeat the row (and its panels) once per selected value of this variable. */
  repeat?: string;
  panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: readonly VariableSpec[];
  annotations?: readonly AnnotationSpec[];
  rows: readonly RowSpec[];
}

/** Every dashboard of the lab carries this tag; the link menu lists them. */
export const DASHBOARD_TAG = 'concurrency-lab';

function variable(spec: VariableSpec): QueryVariableBuilder {
  const query = `label_values(${spec.metric}, ${spec.labelName ?? spec.name})`;
  return new QueryVariableBuilder(spec.name)
    .label(spec.label)
    .description(spec.description)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .multi(true)
    .includeAll(true)
    // `.+`, not `.*`: "All" means every value the variable offers, never series without the label
    // (k6's setup requests carry no strategy tag and would draw a blank-strategy series).
    .allValue('.+')
    .current({ text: 'All', value: '$__all', selected: true })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

function annotation(spec: AnnotationSpec): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name(spec.name)
    .datasource(PROMETHEUS)
    .enable(true)
    .hide(false)
    .iconColor(spec.color)
    .expr(spec.expr)
    .titleFormat(spec.title)
    .step('5s');
}

/** Grafana wants a unique id per panel; the builders leave them unset, so number them in order. */
function numberPanels(dashboard: Dashboard): Dashboard {
  let next = 1;
  for (const panel of dashboard.panels ?? []) {
    panel.id = next++;
    if ('panels' in panel) for (const inner of panel.panels) inner.id = next++;
  }
  return dashboard;
}

export function buildDashboard(spec: DashboardSpec): Dashboard {
  let builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG])
    .readonly()
    .timezone('browser')
    .time({ from: 'now-30m', to: 'now' })
    .refresh('10s')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(
      new DashboardLinkBuilder('concurrency-lab')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .variables(spec.variables.map(variable));
  for (const item of spec.annotations ?? []) builder = builder.annotation(annotation(item));
  for (const row of spec.rows) {
    let rowBuilder = new RowBuilder(row.title);
    if (row.repeat !== undefined) rowBuilder = rowBuilder.repeat(row.repeat);
    builder = builder.withRow(rowBuilder);
    for (const panel of row.panels) builder = builder.withPanel(buildPanel(panel));
  }
  return numberPanels(builder.build());
}
