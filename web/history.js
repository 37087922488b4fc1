// SPDX-License-Identifier: MIT
// History pages.
//   /history/<bench>?series=S: GET /api/v1/history/<bench>?series=S, the
//     benchmark's total across the series; each step (the first run where
//     the count moved) is marked and links to its comparison.
//   /history/<bench>: one line per series (the API never steps from a run
//     of one series to a run of another) and a series picker.
//   /history?series=S: GET /api/v1/series/S/history, the series' geomean
//     against its first run, every benchmark as a thin line, the steps
//     (runs where a benchmark changed against the previous run), and a
//     benchmark picker.
//   /history: the series to pick from (GET /api/v1/series).
import {api, fill, cssVar, dirClass, el, enc, fmtInt, fmtPct, fmtSigned, fmtTime,
	href, loadChart, makeChart, regressionLinks, regressionOf, setCrumbs, setHeading, state, tableWrap} from './lib.js';

let data = null;
let mode = null; // 'bench' | 'bench-all' | 'series' | 'pick'
let app = null;
let chart = null;

// The regression a step opened, if any.
export function stepExtras(point) {
	return point.step ? regressionLinks(point.previous_run, point.run) : null;
}

function compareLink(p, bench) {
	return href(`/compare/${enc(p.previous_run)}...${enc(p.run)}`, {bench});
}

// The regressions of the steps drawn, by run, as the server answers
// (stepRegressions()): a marker opens its step's regression, else its
// comparison.
let stepRegs = new Map();

function stepRegressions(pts) {
	stepRegs = new Map();
	for (const p of pts)
		if (p.step && p.previous_run)
			regressionOf(p.previous_run, p.run).then(r => { if (r) stepRegs.set(p.run, r); });
}

async function openStep(p, bench) {
	const r = stepRegs.get(p.run) || (p.step ? await regressionOf(p.previous_run, p.run) : null);
	location.href = r ? `/regressions/${enc(String(r.id))}` : compareLink(p, bench);
}

function stepFooter(p) {
	if (!p || !p.step)
		return '';
	const r = stepRegs.get(p.run);
	return r ? `step: click to open regression #${r.id}` : 'step: click to compare';
}

// A palette for one line per series, distinguishable in both themes.
const SERIES_COLOURS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];

function stepStyle(pts, colour, isStep, dirOf) {
	const good = cssVar('--good'), bad = cssVar('--bad');
	const sc = p => (dirOf(p) > 0 ? bad : good);
	return {
		pointRadius: pts.map(p => (p && isStep(p) ? 6 : 3)),
		pointHoverRadius: pts.map(p => (p && isStep(p) ? 8 : 5)),
		pointStyle: pts.map(p => (p && isStep(p) ? 'rectRot' : 'circle')),
		pointBackgroundColor: pts.map(p => (p && isStep(p) ? sc(p) : colour)),
		pointBorderColor: pts.map(p => (p && isStep(p) ? sc(p) : colour)),
	};
}

function chartBox(id, label) {
	const box = el('div', {class: 'chart-box history-chart'},
		el('canvas', {id, role: 'img', 'aria-label': label}));
	box.style.height = '320px';
	return box;
}

function destroyChart() {
	if (chart) {
		chart.destroy();
		chart = null;
	}
}

function legend(extra) {
	return el('span', {class: 'legend'},
		el('span', {class: 'nowrap'}, el('span', {class: 'swatch step-good', 'aria-hidden': 'true'}), ' step down'),
		el('span', {class: 'nowrap'}, el('span', {class: 'swatch step-bad', 'aria-hidden': 'true'}), ' step up'),
		extra,
		el('span', {class: 'hint'}, 'click a step to open its regression, or its comparison'));
}

// ---- one benchmark ------------------------------------------------------------

function drawBenchChart(box, lines) {
	destroyChart();
	if (!window.Chart)
		return;
	const accent = cssVar('--accent');
	const runsInOrder = data.points.map(p => p.run);
	const at = new Map(runsInOrder.map((r, i) => [r, i]));
	const datasets = lines.map((ln, k) => {
		const colour = lines.length === 1 ? accent : SERIES_COLOURS[k % SERIES_COLOURS.length];
		const pts = runsInOrder.map(() => null);
		for (const p of ln.points)
			pts[at.get(p.run)] = p;
		return {
			label: ln.series || 'no series',
			data: pts.map(p => (p && p.instructions !== null ? Number(p.instructions) : null)),
			pts,
			borderColor: colour,
			backgroundColor: colour,
			stepped: 'before',
			spanGaps: true,
			borderWidth: 1.5,
			...stepStyle(pts, colour, p => p.step, p => p.delta),
		};
	});
	chart = makeChart(box.querySelector('canvas'), {
		type: 'line',
		data: {labels: runsInOrder, datasets},
		tooltip: {
			label: ctx => {
				const p = datasets[ctx.datasetIndex].pts[ctx.dataIndex];
				if (!p)
					return '';
				return `${lines.length > 1 ? datasets[ctx.datasetIndex].label + ': ' : ''}${fmtInt(p.instructions)}` +
					(p.delta !== null ? ` (${fmtSigned(p.delta)}, ${fmtPct(p.delta_pct)})` : '');
			},
			footer: items => (items.length ? stepFooter(datasets[items[0].datasetIndex].pts[items[0].dataIndex]) : ''),
		},
		scales: {
			x: {ticks: {maxRotation: 60, autoSkip: true}},
			y: {ticks: {callback: v => fmtInt(v)}},
		},
		clickable: i => datasets.some(d => d.pts[i] && d.pts[i].previous_run),
		onPick: i => {
			const d = datasets.find(x => x.pts[i] && x.pts[i].previous_run);
			openStep(d.pts[i], data.benchmark);
		},
	});
}

function benchRows(pts) {
	return pts.slice().reverse().map(p => {
		const dcls = p.delta === null ? 'dir-none' : dirClass(p.delta, p.delta_pct);
		return el('tr', {class: p.step ? 'step' : '', dataset: {run: p.run}},
			el('th', {scope: 'row', class: 'name'}, el('a', {href: `/runs/${enc(p.run)}/${enc(data.benchmark)}`}, p.run),
				mode === 'bench-all' ? el('span', {class: 'sub'}, p.series === null ? 'no series' : p.series) : null),
			el('td', {class: 'num'}, p.instructions === null ? '\u2013' : [p.lower_bound ? '\u2265 ' : '', fmtInt(p.instructions)]),
			el('td', {class: `num ${dcls}`}, fmtSigned(p.delta)),
			el('td', {class: `num ${dcls}`}, fmtPct(p.delta_pct)),
			el('td', {class: 'actions'}, p.previous_run
				? el('a', {href: compareLink(p, data.benchmark), class: p.step ? 'step-link' : ''}, p.step ? 'step: compare' : 'compare') : '',
			stepExtras(p)),
			el('td', {class: 'time opt'}, fmtTime(p.created)));
	});
}

function drawBench() {
	const pts = data.points;
	const lines = mode === 'bench' ? [{series: data.series, points: pts}] : data.lines;
	const steps = pts.filter(p => p.step).length;
	const box = chartBox('history-chart',
		`Line chart of ${data.benchmark} instructions over ${pts.length} runs, ${steps} steps` +
		(lines.length > 1 ? `, one line per series (${lines.map(l => l.series).join(', ')})` : ''));
	const pick = mode === 'bench-all' ? el('nav', {class: 'series-pick', id: 'series-pick', 'aria-label': 'Series'},
		el('strong', {}, 'One series: '),
		lines.map((ln, k) => el('a', {href: href(location.pathname, {series: ln.series}), class: 'series-chip'},
			el('span', {class: 'swatch', 'aria-hidden': 'true', style: null}, ''), ln.series)))
		: null;
	if (pick)
		pick.querySelectorAll('.swatch').forEach((s, k) => { s.style.background = SERIES_COLOURS[k % SERIES_COLOURS.length]; });
	fill(app,
		mode === 'bench-all' ? el('div', {class: 'notice', role: 'note'},
			'Runs of different series are different builds: each series is its own line, and a step is only ever taken from the previous run of the same series.') : null,
		pick,
		el('div', {class: 'toolbar'},
			legend(null),
			el('span', {class: 'exports'},
				data.series ? el('a', {href: href('/history', {series: data.series}), id: 'series-history-link'}, `all of ${data.series}`) : null,
				' JSON ',
				el('a', {href: href(`/api/v1/history/${enc(data.benchmark)}`, {series: data.series})}, 'history'))),
		box,
		el('h2', {}, 'Runs ', el('span', {class: 'hint'}, 'newest first')),
		tableWrap(el('table', {class: 'data collapse', id: 'history-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Run'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col', class: 'num'}, '\u0394 vs previous'),
				el('th', {scope: 'col', class: 'num'}, '\u0394 %'),
				el('th', {scope: 'col'}, el('span', {class: 'sr-only'}, 'Compare')),
				el('th', {scope: 'col', class: 'opt'}, 'Created'))),
			el('tbody', {}, benchRows(pts)))));
	stepRegressions(pts);
	drawBenchChart(box, lines);
}

// ---- a whole series -------------------------------------------------------------

function drawSeriesChart(box) {
	destroyChart();
	if (!window.Chart)
		return;
	const pts = data.points;
	const accent = cssVar('--accent'), thin = cssVar('--muted');
	const datasets = [{
		label: 'geomean',
		data: pts.map(p => p.geomean_pct),
		borderColor: accent,
		backgroundColor: accent,
		borderWidth: 3,
		stepped: 'before',
		order: 0,
		...stepStyle(pts, accent, p => p.step, p => (p.vs_previous ? p.vs_previous.geomean_pct : 0)),
	}, ...data.benchmarks.map(b => ({
		label: b.name,
		data: b.delta_pct,
		borderColor: thin + '99',
		backgroundColor: thin,
		borderWidth: 1,
		pointRadius: 0,
		pointHoverRadius: 3,
		stepped: 'before',
		spanGaps: true,
		order: 1,
	}))];
	chart = makeChart(box.querySelector('canvas'), {
		type: 'line',
		data: {labels: pts.map(p => p.run), datasets},
		tooltip: {
			label: ctx => `${ctx.dataset.label}: ${fmtPct(ctx.raw)}`,
			footer: items => (items.length ? stepFooter(pts[items[0].dataIndex]) : ''),
		},
		scales: {
			x: {ticks: {maxRotation: 60, autoSkip: true}},
			y: {ticks: {callback: v => `${v > 0 ? '+' : ''}${Number(v.toFixed(2))} %`}},
		},
		clickable: i => Boolean(pts[i].step),
		onPick: i => openStep(pts[i]),
	});
}

function drawSeries() {
	const pts = data.points;
	const steps = pts.filter(p => p.step).length;
	const box = chartBox('series-chart',
		`Line chart of the geomean of series ${data.series} against its first run over ${pts.length} runs, ${steps} steps, and ${data.benchmarks.length} benchmarks as thin lines`);
	const pick = el('select', {id: 'bench-pick'},
		el('option', {value: ''}, 'one benchmark\u2026'),
		data.benchmarks.map(b => el('option', {value: b.name}, b.name)));
	pick.addEventListener('change', () => {
		if (pick.value)
			location.href = href(`/history/${enc(pick.value)}`, {series: data.series});
	});
	const rows = pts.slice().reverse().map(p => {
		const c = p.vs_previous;
		return el('tr', {class: p.step ? 'step' : '', dataset: {run: p.run}},
			el('th', {scope: 'row', class: 'name'}, el('a', {href: `/runs/${enc(p.run)}`}, p.run)),
			el('td', {class: `num ${dirClass(p.geomean_pct, p.geomean_pct)}`}, fmtPct(p.geomean_pct)),
			el('td', {class: `num ${c ? dirClass(c.geomean_pct, c.geomean_pct) : 'dir-none'}`}, c ? fmtPct(c.geomean_pct) : '\u2013'),
			el('td', {class: 'counts'}, c ? [
				el('span', {class: 'dir-bad'}, `${c.changes.regressed}\u2191`), ' ',
				el('span', {class: 'dir-good'}, `${c.changes.improved}\u2193`)] : ''),
			el('td', {class: 'actions'}, p.previous_run
				? el('a', {href: compareLink(p), class: p.step ? 'step-link' : ''}, p.step ? 'step: compare' : 'compare') : '',
			stepExtras(p)),
			el('td', {class: 'time opt'}, fmtTime(p.created)));
	});
	fill(app,
		el('div', {class: 'toolbar'},
			legend(el('span', {class: 'nowrap'}, el('span', {class: 'swatch thin-line', 'aria-hidden': 'true'}), ' one benchmark')),
			el('label', {for: 'bench-pick'}, 'Benchmark ', pick),
			el('span', {class: 'exports'}, 'JSON ',
				el('a', {href: `/api/v1/series/${enc(data.series)}/history`}, 'series history'))),
		box,
		el('h2', {}, 'Runs ', el('span', {class: 'hint'}, 'newest first; geomean against the first run and against the previous run')),
		tableWrap(el('table', {class: 'data collapse', id: 'series-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Run'),
				el('th', {scope: 'col', class: 'num'}, `vs ${pts[0] ? pts[0].run : 'first'}`),
				el('th', {scope: 'col', class: 'num'}, 'vs previous'),
				el('th', {scope: 'col'}, 'Changed'),
				el('th', {scope: 'col'}, el('span', {class: 'sr-only'}, 'Compare')),
				el('th', {scope: 'col', class: 'opt'}, 'Created'))),
			el('tbody', {}, rows))));
	stepRegressions(pts);
	drawSeriesChart(box);
}

function drawPick() {
	fill(app, data.series.length
		? el('ul', {class: 'pick-list', id: 'series-list'}, data.series.map(s => el('li', {},
			el('a', {href: href('/history', {series: s.name})}, s.name), ' ',
			el('span', {class: 'hint'}, `${fmtInt(s.ready)} runs, newest ${fmtTime(s.latest)}`))))
		: el('p', {class: 'empty'}, 'No series yet: give runs a "series" in their metadata.'));
}

function draw() {
	if (mode === 'series')
		drawSeries();
	else if (mode === 'pick')
		drawPick();
	else
		drawBench();
}

export function redraw() {
	if (data)
		draw();
}

export async function render(root) {
	app = root;
	const bench = decodeURIComponent(location.pathname.split('/')[2] || '');
	const series = state().get('series') || '';
	if (!bench) {
		setCrumbs([['Runs', series ? href('/', {series}) : '/'], [series ? `${series} over time` : 'History']]);
		if (!series) {
			mode = 'pick';
			data = await api('/api/v1/series');
			setHeading('Series history', 'Pick a series: its geomean over time, every benchmark as a thin line.');
			draw();
			return;
		}
		mode = 'series';
		[data] = await Promise.all([api(`/api/v1/series/${enc(series)}/history`), loadChart()]);
		const steps = data.points.filter(p => p.step).length;
		setHeading(`Series ${series} over time`,
			   `${data.points.length} runs, ${steps} step${steps === 1 ? '' : 's'}: the geomean of every benchmark against ${data.points[0] ? data.points[0].run : 'the first run'}; a step is a run where a benchmark changed against the previous run.`);
		draw();
		return;
	}
	setCrumbs([['Runs', series ? href('/', {series}) : '/'],
		series ? [`${series} over time`, href('/history', {series})] : null,
		[`${bench} history`]].filter(Boolean));
	[data] = await Promise.all([api(href(`/api/v1/history/${enc(bench)}`, {series})), loadChart()]);
	mode = series ? 'bench' : 'bench-all';
	const steps = data.points.filter(p => p.step).length;
	setHeading(series ? `${bench} in ${series}` : `${bench}, every series`,
		   `${data.points.length} runs, ${steps} step${steps === 1 ? '' : 's'}: a step is the first run where the count moved, against the previous run of the same series.`);
	draw();
}
