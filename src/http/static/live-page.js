// The live scoreboard page: polls /api/v1/status (every 2 s) and /api/v1/live (every second,
// only the samples it has not seen) from the daemon that served it, and draws with uPlot,
// also served by the daemon. No build step: this file is what the browser runs.
import uPlot from '/static/uPlot.esm.js';

const STATUS_EVERY_MS = 2000;
const LIVE_EVERY_MS = 1000;
const KEEP_SAMPLES = 300;
/** One colour and one dash pattern per strategy, so lines differ by more than colour. */
const STYLE = {
  sequential: { stroke: '#8250df', dash: [2, 4] },
  async: { stroke: '#cf222e', dash: [10, 4] },
  threads: { stroke: '#1a7f37', dash: [] },
  processes: { stroke: '#0969da', dash: [4, 2, 1, 2] },
};
const NAMES = ['sequential', 'async', 'threads', 'processes'];

const state = {
  status: undefined,
  kinds: new Map(),
  samples: [],
  seq: 0,
  live: undefined,
  charts: new Map(),
  chartStrategies: '',
};

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/** Fewer decimals for bigger numbers; "–" when there is nothing measured. */
function format(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const decimals = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toFixed(decimals);
}

async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

function sameCell(a, b) {
  return a.scenario === b.scenario && a.strategy === b.strategy;
}

function activeCells(status) {
  return status?.rotation?.cells ?? [];
}

function describeNow(status) {
  if (status.driver === 'off') return `Driver off (LAB_DRIVER=off): jobs come only from the API. Mode: ${status.mix}.`;
  const rotation = status.rotation;
  const cells = activeCells(status);
  const what = cells.length === 1 ? `${cells[0].scenario} under ${rotation.active}` : `${cells.map((cell) => cell.scenario).join(', ')} at once under ${rotation.active}`;
  const left = rotation.secondsLeft === null ? '' : `, ${Math.ceil(rotation.secondsLeft)} s left`;
  const cycle = rotation.cycle;
  return `Mode: ${status.mix}. Running ${what} (${rotation.phase}${left}); cell ${cycle.position + 1} of ${cycle.length} in the cycle, ${cycle.completed} cycle${cycle.completed === 1 ? '' : 's'} completed.`;
}

// ---------- scoreboard ----------

/** Failed jobs of a window: status gives them by error code. */
function errorCount(errors) {
  if (typeof errors === 'number') return errors;
  return Object.values(errors ?? {}).reduce((sum, count) => sum + count, 0);
}

const COLUMNS = [
  { field: 'jobsPerSecond', label: 'jobs/s', value: (cell) => cell.jobsPerSecond },
  { field: 'p50', label: 'p50 ms', value: (cell) => cell.latencyMs.p50 },
  { field: 'p99', label: 'p99 ms', value: (cell) => cell.latencyMs.p99 },
  { field: 'coresUsed', label: 'cores', value: (cell) => cell.coresUsed, digits: 2 },
  { field: 'eventLoopDelayP99Ms', label: 'loop p99 ms', value: (cell) => cell.eventLoopDelayP99Ms },
  { field: 'memoryMiB', label: 'memory MiB', value: (cell) => cell.memoryBytes / 1048576, raw: (cell) => cell.memoryBytes, digits: 0 },
  { field: 'errors', label: 'errors', value: (cell) => errorCount(cell.errors), digits: 0 },
];

function renderScoreboards(status) {
  const container = $('scoreboards');
  const strategies = status.rotation.strategies;
  const running = activeCells(status);
  const tables = [];
  for (const scenario of status.scenarios) {
    const cells = status.cells.filter((cell) => cell.scenario === scenario.name);
    const isRunning = running.some((cell) => cell.scenario === scenario.name);
    if (cells.length === 0 && !isRunning) continue;
    const kind = state.kinds.get(scenario.name);
    const caption = el('caption', {}, `${scenario.name}${kind ? ` (${kind})` : ''}, size ${scenario.size}, ${scenario.concurrency} in flight`);
    const head = el('tr', {}, el('th', { scope: 'col' }, 'strategy'), ...COLUMNS.map((column) => el('th', { scope: 'col' }, column.label)), el('th', { scope: 'col' }, 'limit'), el('th', { scope: 'col' }, 'window'));
    const body = el('tbody');
    for (const strategy of strategies) {
      const cell = cells.find((candidate) => candidate.strategy === strategy);
      const active = running.some((candidate) => sameCell(candidate, { scenario: scenario.name, strategy }));
      const left = status.rotation.secondsLeft;
      const marker = active ? ` ▶ running (${status.rotation.phase}${left === null ? '' : `, ${Math.ceil(left)} s left`})` : '';
      const row = el('tr', { 'data-scenario': scenario.name, 'data-strategy': strategy, 'data-ended-at': cell?.endedAt, class: active ? 'active' : undefined, 'aria-current': active ? 'true' : undefined });
      row.append(el('th', { scope: 'row' }, strategy, marker));
      if (cell === undefined) {
        row.append(el('td', { colspan: COLUMNS.length + 2, class: 'text' }, 'not measured yet'));
      } else {
        for (const column of COLUMNS) {
          const value = column.value(cell);
          row.append(el('td', { 'data-field': column.field, 'data-value': (column.raw ?? column.value)(cell) ?? 'null' }, format(value, column.digits)));
        }
        // What limited the cell (src/report/verdict-rules.ts); its evidence as the tooltip.
        row.append(el('td', { class: 'text', 'data-limit': cell.verdict?.limit, title: cell.verdict?.evidence }, cell.verdict?.limit ?? '–'));
        row.append(el('td', { class: 'text' }, `${format(cell.seconds, 1)} s to ${new Date(cell.endedAt).toLocaleTimeString()}`));
      }
      body.append(row);
    }
    const table = el('table', { 'data-scenario': scenario.name }, caption, el('thead', {}, head), body);
    tables.push(el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': `scoreboard for ${scenario.name}` }, table));
  }
  if (tables.length > 0) container.replaceChildren(...tables);
}

// ---------- the talk's table ----------

const TALK = [
  { strategy: 'processes', runs: 'in parallel', cores: 'all', fit: 'a couple dozen', goodFor: 'images, arrays, matrices' },
  { strategy: 'threads', runs: '"in parallel" (GIL: one core)', cores: 'one', fit: 'a few hundred', goodFor: 'network I/O' },
  { strategy: 'async', runs: 'concurrently, one thread', cores: 'one', fit: 'thousands', goodFor: 'many network calls' },
];

function renderTalkTable(status) {
  const cpuCells = status.cells.filter((cell) => state.kinds.get(cell.scenario) === 'cpu');
  const most = (strategy) => cpuCells.filter((cell) => cell.strategy === strategy).sort((a, b) => b.coresUsed - a.coresUsed)[0];
  const runs = (strategy) => {
    const cell = most(strategy);
    if (cell === undefined) return 'no CPU-bound cell measured yet';
    return cell.coresUsed >= 1.5 ? `in parallel: ${format(cell.coresUsed, 2)} cores busy on ${cell.scenario}` : `one core at a time: ${format(cell.coresUsed, 2)} cores on ${cell.scenario}`;
  };
  const cores = (strategy) => {
    const cell = most(strategy);
    return cell === undefined ? 'not measured yet' : `up to ${format(cell.coresUsed, 2)} (${cell.scenario})`;
  };
  const fastest = (strategy) => {
    const won = [];
    for (const scenario of new Set(status.cells.map((cell) => cell.scenario))) {
      const best = status.cells.filter((cell) => cell.scenario === scenario).sort((a, b) => b.jobsPerSecond - a.jobsPerSecond)[0];
      if (best?.strategy === strategy) won.push(`${scenario} (${format(best.jobsPerSecond)} jobs/s)`);
    }
    return won.length === 0 ? 'none of the cells measured so far' : won.join(', ');
  };
  const row = (label, cellText) => el('tr', {}, el('th', { scope: 'row' }, label), ...TALK.map((column) => el('td', {}, cellText(column))));
  $('talk-table').tBodies[0].replaceChildren(
    row('runs (Python)', (column) => column.runs),
    row('runs (Node, measured)', (column) => runs(column.strategy)),
    row('cores (Python)', (column) => column.cores),
    row('cores used (Node, measured)', (column) => cores(column.strategy)),
    row('how many fit (Python)', (column) => column.fit),
    row('how many fit (Node)', () => 'not measured by the daemon: run npm run compare'),
    row('good for (Python)', (column) => column.goodFor),
    row('fastest here (Node, measured)', (column) => fastest(column.strategy)),
  );
}

// ---------- live charts ----------

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const CHARTS = [
  { id: 'chart-throughput', value: (sample, point) => point.jobsPerSecond },
  { id: 'chart-p99', value: (sample, point) => point.p99Ms },
  { id: 'chart-loop', value: (sample) => sample.loopDelayP99Ms },
];

function chartWidth(container) {
  return Math.max(240, container.clientWidth || 320);
}

function createCharts(strategies) {
  const fg = cssVar('--fg');
  const grid = cssVar('--line');
  for (const chart of CHARTS) {
    state.charts.get(chart.id)?.destroy();
    const container = $(chart.id);
    container.replaceChildren();
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const plot = new uPlot(
      {
        width: chartWidth(container),
        height: 200,
        series: [{}, ...strategies.map((name) => ({ label: name, stroke: STYLE[name]?.stroke ?? fg, dash: STYLE[name]?.dash ?? [], width: 2, spanGaps: false, points: { show: false } }))],
        axes: [axis, { ...axis, size: 56 }],
        scales: { x: { time: true } },
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      [[], ...strategies.map(() => [])],
      container,
    );
    state.charts.set(chart.id, plot);
  }
  state.chartStrategies = strategies.join(',');
}

function chartScenario() {
  const chosen = $('scenario-select').value;
  if (chosen !== '') return chosen;
  return state.live?.active?.scenarios?.[0] ?? activeCells(state.status)[0]?.scenario ?? state.status?.scenarios?.[0]?.name;
}

function renderCharts() {
  const status = state.status;
  if (status === undefined) return;
  const strategies = status.rotation.strategies ?? NAMES;
  if (state.chartStrategies !== strategies.join(',')) createCharts(strategies);
  const scenario = chartScenario();
  $('live-scenario').textContent = scenario ?? '–';
  const xs = [];
  const series = CHARTS.map(() => strategies.map(() => []));
  let points = 0;
  for (const sample of state.samples) {
    const mine = sample.cells.filter((point) => point.scenario === scenario);
    if (mine.length === 0) continue;
    xs.push(sample.t / 1000);
    CHARTS.forEach((chart, c) => {
      strategies.forEach((strategy, s) => {
        const point = mine.find((candidate) => candidate.strategy === strategy);
        series[c][s].push(point === undefined ? null : chart.value(sample, point));
      });
    });
    points++;
  }
  CHARTS.forEach((chart, c) => {
    state.charts.get(chart.id).setData([xs, ...series[c]]);
    $(chart.id).dataset.points = String(points);
  });
}

function resizeCharts() {
  for (const [id, plot] of state.charts) plot.setSize({ width: chartWidth($(id)), height: 200 });
}

function fillScenarioSelect(status) {
  const select = $('scenario-select');
  if (select.options.length > 1) return;
  for (const scenario of status.scenarios) select.append(el('option', { value: scenario.name }, scenario.name));
}

// ---------- polling ----------

async function pollStatus() {
  try {
    state.status = await getJson('/api/v1/status');
    fillScenarioSelect(state.status);
    $('now').textContent = describeNow(state.status);
    renderScoreboards(state.status);
    renderTalkTable(state.status);
    renderCharts();
  } catch (error) {
    $('now').textContent = `The daemon does not answer (${error.message}); retrying.`;
  }
}

async function pollLive() {
  try {
    const live = await getJson(`/api/v1/live?since=${state.seq}`);
    // A restarted daemon counts from 1 again: start over.
    if (live.seq < state.seq) state.samples = [];
    state.live = live;
    state.seq = live.seq;
    state.samples.push(...live.samples);
    if (state.samples.length > KEEP_SAMPLES) state.samples.splice(0, state.samples.length - KEEP_SAMPLES);
    $('feed-state').textContent = `Live feed: ${state.samples.length} samples, one every ${live.intervalMs / 1000} s.`;
    renderCharts();
  } catch (error) {
    $('feed-state').textContent = `Live feed unavailable (${error.message}); retrying.`;
  }
}

/** The fault switch: one radio button per preset (from /api/v1/faults/presets), built once. */
function renderPresets(presets, available) {
  const box = $('faults-presets');
  if (box.dataset.built === '1') return;
  box.dataset.built = '1';
  for (const preset of presets) {
    const usable = preset.needs.every((need) => available[need]);
    const needs = usable ? '' : ` (needs ${preset.needs.filter((need) => !available[need]).map((need) => (need === 'network' ? 'Toxiproxy: LAB_TOXIPROXY_URL' : 'a concurrency-lab upstream')).join(' and ')})`;
    const input = el('input', { type: 'radio', name: 'preset', value: preset.name, id: `preset-${preset.name}` });
    input.disabled = !usable;
    box.append(el('label', { for: `preset-${preset.name}`, class: usable ? undefined : 'unavailable' }, input, ` ${preset.name}: ${preset.description}${needs}`));
  }
}

function showFaults(faults) {
  const active = faults.active.length === 0 ? 'none' : faults.active.join(', ');
  const preset = faults.preset === null ? 'set field by field' : `preset ${faults.preset}`;
  $('faults-active').textContent = `Active: ${active} (${preset}).`;
  $('faults-active').dataset.active = faults.active.join(',');
  $('faults-body').textContent = JSON.stringify(faults, null, 2);
  // Follow the daemon's state unless the user is choosing a preset right now.
  const form = $('faults-form');
  if (faults.preset !== null && !form.contains(document.activeElement)) {
    const radio = form.querySelector(`input[name="preset"][value="${faults.preset}"]`);
    if (radio !== null) radio.checked = true;
  }
}

async function changeFaults(method, body) {
  const message = $('faults-message');
  message.classList.remove('error');
  message.textContent = method === 'DELETE' ? 'Switching every fault off…' : `Applying ${body.preset}…`;
  try {
    const response = await fetch('/api/v1/faults', { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${answer.code ?? response.status}: ${answer.message ?? ''}`);
    showFaults(answer);
    message.textContent = method === 'DELETE' ? 'Every fault is off.' : `Preset ${body.preset} applied.`;
  } catch (error) {
    message.classList.add('error');
    message.textContent = `Not changed: ${error.message}`;
  }
}

async function pollFaults() {
  // Only daemons with the faults API say so (data-faults), so no page requests a route that is not there.
  if (document.body.dataset.faults !== '1') return;
  try {
    const faults = await getJson('/api/v1/faults');
    if ($('faults-presets').dataset.built !== '1') renderPresets((await getJson('/api/v1/faults/presets')).presets, faults.available);
    showFaults(faults);
    $('faults').hidden = false;
  } catch {
    $('faults').hidden = true;
  }
}

function wireFaultSwitch() {
  $('faults-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = $('faults-form').querySelector('input[name="preset"]:checked');
    if (chosen === null) {
      $('faults-message').textContent = 'Pick a preset first.';
      return;
    }
    void changeFaults('PUT', { preset: chosen.value });
  });
  $('faults-off').addEventListener('click', () => void changeFaults('DELETE'));
}

function addGrafanaLink() {
  const url = document.body.dataset.grafanaUrl;
  if (!url) return;
  $('links').append(el('li', {}, el('a', { href: url, rel: 'noopener' }, 'Grafana dashboard')));
}

async function main() {
  addGrafanaLink();
  try {
    const { scenarios } = await getJson('/api/v1/scenarios');
    for (const scenario of scenarios) state.kinds.set(scenario.name, scenario.kind);
  } catch {
    // Kinds only label captions and pick the CPU cells for the talk's table.
  }
  $('scenario-select').addEventListener('change', renderCharts);
  wireFaultSwitch();
  new ResizeObserver(resizeCharts).observe(document.querySelector('.charts'));
  await pollStatus();
  await pollLive();
  await pollFaults();
  setInterval(pollStatus, STATUS_EVERY_MS);
  setInterval(pollLive, LIVE_EVERY_MS);
  setInterval(pollFaults, 5 * STATUS_EVERY_MS);
}

void main();
