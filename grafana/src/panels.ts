import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  AxisPlacement,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  ScaleDistribution,
  ScaleDistributionConfigBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
  BigValueColorMode,
  BigValueGraphMode,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type DynamicConfigValue,
  type Panel,
  type ValueMapping,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanelBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS } from './datasources.ts';
import { STRATEGIES, STRATEGY_COLORS } from './strategy-colors.ts';

/** One PromQL query of a panel. */
export interface QuerySpec {
  expr: string;
  /** Legend template, e.g. "{{strategy}} p99". Default: Grafana's automatic legend. */
  legend?: string;
  /** Ask Prometheus for exemplars too (trace links on latency panels). */
  exemplar?: boolean;
}

/** A table column: one instant query whose value becomes the column `name`. */
export interface TableColumnSpec extends QuerySpec {
  name: string;
  unit?: string;
  decimals?: number;
  mappings?: ValueMapping[];
}

interface BasePanelSpec {
  title: string;
  /** Shown under the (i) of the panel: what it shows and how to read it. */
  description: string;
  /** Grid columns out of 24. Default 12. */
  width?: number;
  /** Grid rows. Default 8. */
  height?: number;
  unit?: string;
}

export interface TimeSeriesSpec extends BasePanelSpec {
  kind: 'timeseries';
  queries: readonly QuerySpec[];
  stack?: boolean;
  min?: number;
  max?: number;
  /** A dashed red line at this value (e.g. an alert threshold). */
  threshold?: number;
  logScale?: boolean;
}

export interface StateTimelineSpec extends BasePanelSpec {
  kind: 'state-timeline';
  queries: readonly QuerySpec[];
  mappings: ValueMapping[];
}

export interface StatSpec extends BasePanelSpec {
  kind: 'stat';
  queries: readonly QuerySpec[];
  mappings?: ValueMapping[];
}

export interface TableSpec extends BasePanelSpec {
  kind: 'table';
  /** The label that keys the rows (e.g. strategy); it becomes the first column. */
  rowLabel: string;
  columns: readonly TableColumnSpec[];
}

export type PanelSpec = TimeSeriesSpec | StateTimelineSpec | StatSpec | TableSpec;

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function refId(index: number): string {
  const id = REF_IDS[index];
  if (id === undefined) throw new Error(`a panel has at most ${REF_IDS.length} queries`);
  return id;
}

function rangeQuery(query: QuerySpec, index: number): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(refId(index))
    .expr(query.expr)
    .range()
    .legendFormat(query.legend ?? '__auto');
  return query.exemplar === true ? builder.exemplar(true) : builder;
}

function instantTableQuery(query: QuerySpec, index: number): DataqueryBuilder {
  return new DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(refId(index))
    .expr(query.expr)
    .instant()
    .format(PromQueryFormat.Table);
}

function fixedColor(color: string): DynamicConfigValue {
  return { id: 'color', value: { mode: 'fixed', fixedColor: color } };
}

/** Series whose name starts with a strategy get that strategy's color. */
function colorByStrategy<B extends { overrideByRegexp(regexp: string, properties: DynamicConfigValue[]): B }>(builder: B): B {
  let colored = builder;
  for (const strategy of STRATEGIES) colored = colored.overrideByRegexp(`^${strategy}\\b.*`, [fixedColor(STRATEGY_COLORS[strategy])]);
  return colored;
}

function legend(): VizLegendOptionsBuilder {
  return new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([]);
}

function tooltip(): VizTooltipOptionsBuilder {
  return new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending);
}

function timeSeries(spec: TimeSeriesSpec): cog.Builder<Panel> {
  let builder = new TimeSeriesPanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .unit(spec.unit ?? 'short')
    .legend(legend())
    .tooltip(tooltip())
    .lineWidth(1)
    .fillOpacity(spec.stack === true ? 25 : 8)
    .showPoints(VisibilityMode.Never)
    .axisPlacement(AxisPlacement.Auto)
    .spanNulls(false)
    .targets(spec.queries.map(rangeQuery));
  if (spec.stack === true) builder = builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  if (spec.min !== undefined) builder = builder.min(spec.min);
  if (spec.max !== undefined) builder = builder.max(spec.max);
  if (spec.logScale === true) builder = builder.scaleDistribution(new ScaleDistributionConfigBuilder().type(ScaleDistribution.Log).log(10));
  if (spec.threshold !== undefined) {
    builder = builder
      .thresholds(
        new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: 'transparent' },
          { value: spec.threshold, color: 'red' },
        ]),
      )
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  }
  return colorByStrategy(builder);
}

function stateTimeline(spec: StateTimelineSpec): cog.Builder<Panel> {
  const builder = new StateTimelinePanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .span(spec.width ?? 24)
    .height(spec.height ?? 5)
    .mappings(spec.mappings)
    .showValue(VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8)
    .fillOpacity(80)
    .legend(new VizLegendOptionsBuilder().showLegend(false))
    .tooltip(tooltip())
    .targets(spec.queries.map(rangeQuery));
  return colorByStrategy(builder);
}

function stat(spec: StatSpec): cog.Builder<Panel> {
  let builder = new StatPanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .span(spec.width ?? 6)
    .height(spec.height ?? 4)
    .unit(spec.unit ?? 'short')
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.Value)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets(spec.queries.map(rangeQuery));
  if (spec.mappings !== undefined) builder = builder.mappings(spec.mappings);
  return builder;
}

/**
 * Several instant queries, one column each, joined on `rowLabel`: Prometheus returns each as a
 * frame with a "Value #<refId>" field; merge joins them and organize names the columns.
 */
function table(spec: TableSpec): cog.Builder<Panel> {
  const renameByName: Record<string, string> = {};
  const indexByName: Record<string, number> = { [spec.rowLabel]: 0 };
  spec.columns.forEach((column, index) => {
    renameByName[`Value #${refId(index)}`] = column.name;
    indexByName[`Value #${refId(index)}`] = index + 1;
  });
  let builder = new TablePanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .span(spec.width ?? 24)
    .height(spec.height ?? 7)
    .unit(spec.unit ?? 'short')
    .targets(spec.columns.map(instantTableQuery))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: { excludeByName: { Time: true }, renameByName, indexByName, includeByName: {} },
    });
  for (const column of spec.columns) {
    const properties: DynamicConfigValue[] = [];
    if (column.unit !== undefined) properties.push({ id: 'unit', value: column.unit });
    if (column.decimals !== undefined) properties.push({ id: 'decimals', value: column.decimals });
    if (column.mappings !== undefined) properties.push({ id: 'mappings', value: column.mappings });
    if (properties.length > 0) builder = builder.overrideByName(column.name, properties);
  }
  return builder;
}

export function buildPanel(spec: PanelSpec): cog.Builder<Panel> {
  switch (spec.kind) {
    case 'timeseries':
      return timeSeries(spec);
    case 'state-timeline':
      return stateTimeline(spec);
    case 'stat':
      return stat(spec);
    case 'table':
      return table(spec);
  }
}
