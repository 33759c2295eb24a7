/** Values for Grafana's template variables, as the dashboard would send them to Prometheus. */
export type TemplateValues = Readonly<Record<string, string>>;

/**
 * Replaces `$name`, `${name}` and `[[name]]` (Grafana's own `$__interval`, `$__rate_interval`,
 * `$__range`... too) with `values`, longest names first so `$__range_s` is not read as
 * `$__range` + `_s`. Throws when a variable is left that `values` does not fill.
 */
export function fillTemplateVariables(expr: string, values: TemplateValues): string {
  let filled = expr;
  for (const name of Object.keys(values).toSorted((a, b) => b.length - a.length)) {
    const value = values[name]!;
    filled = filled.replaceAll(`\${${name}}`, value).replaceAll(`[[${name}]]`, value).replaceAll(`$${name}`, value);
  }
  const left = /\$\{?\w+|\[\[\w+\]\]/.exec(filled);
  if (left !== null) throw new Error(`no value for the template variable ${left[0]} in ${expr}`);
  return filled;
}

/**
 * A query variable's `label_values(<selector>, <label>)` as PromQL that returns one series per
 * value the variable would offer; a series without `label` means the selector matches series
 * that lack the label, which the variable would not offer either.
 */
export function labelValuesAsPromQL(query: string): { expr: string; label: string } {
  const match = /^\s*label_values\((.+),\s*(\w+)\s*\)\s*$/s.exec(query);
  if (match === null) throw new Error(`not a label_values(selector, label) query: ${query}`);
  return { expr: `group by (${match[2]}) (${match[1]})`, label: match[2]! };
}
