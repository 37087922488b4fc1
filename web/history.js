// SPDX-License-Identifier: MIT
// /history/<bench>?series=S: draws GET /api/v1/history/<bench>?series=S,
// the benchmark's total across the series; each step (the first run where
// the count moved) is marked and links to its comparison.
import {api, fill, cssVar, dirClass, el, enc, fmtInt, fmtPct, fmtSigned, fmtTime,
	href, makeChart, setCrumbs, setHeading, state, tableWrap} from './lib.js';

let data = null;
let app = null;
let chart = null;

function compareLink(p) {
	return `/compare/${enc(p.previous_run)}...${enc(p.run)}?bench=${enc(data.benchmark)}`;
}

function drawChart(box) {
	if (chart) {
		chart.destroy();
		chart = null;
	}
	if (!window.Chart || !data.points.length)
		return;
	const pts = data.points;
	const accent = cssVar('--accent');
	const good = cssVar('--good'), bad = cssVar('--bad');
	const stepColour = p => (p.delta > 0 ? bad : good);
	chart = makeChart(box.querySelector('canvas'), {
		type: 'line',
		data: {
			labels: pts.map(p => p.run),
			datasets: [{
				data: pts.map(p => Number(p.instructions)),
				borderColor: accent,
				backgroundColor: accent,
				stepped: 'before',
				borderWidth: 1.5,
				pointRadius: pts.map(p => (p.step ? 6 : 3)),
				pointHoverRadius: pts.map(p => (p.step ? 8 : 5)),
				pointStyle: pts.map(p => (p.step ? 'rectRot' : 'circle')),
				pointBackgroundColor: pts.map(p => (p.step ? stepColour(p) : accent)),
				pointBorderColor: pts.map(p => (p.step ? stepColour(p) : accent)),
			}],
		},
		tooltip: {
			label: ctx => {
				const p = pts[ctx.dataIndex];
				return `${fmtInt(p.instructions)}${p.delta !== null ? ` (${fmtSigned(p.delta)}, ${fmtPct(p.delta_pct)})` : ''}`;
			},
			footer: items => (pts[items[0].dataIndex].step ? 'step: click to compare' : ''),
		},
		scales: {
			x: {ticks: {maxRotation: 60, autoSkip: true}},
			y: {ticks: {callback: v => fmtInt(v)}},
		},
		clickable: i => Boolean(pts[i].previous_run),
		onPick: i => { location.href = compareLink(pts[i]); },
	});
}

function draw() {
	const pts = data.points;
	const steps = pts.filter(p => p.step).length;
	const box = el('div', {class: 'chart-box history-chart'},
		el('canvas', {id: 'history-chart', role: 'img',
			'aria-label': `Line chart of ${data.benchmark} instructions over ${pts.length} runs, ${steps} steps`}));
	const rows = pts.slice().reverse().map(p => {
		const dcls = p.delta === null ? 'dir-none' : dirClass(p.delta, p.delta_pct);
		return el('tr', {class: p.step ? 'step' : '', dataset: {run: p.run}},
			el('th', {scope: 'row', class: 'name'}, el('a', {href: `/runs/${enc(p.run)}/${enc(data.benchmark)}`}, p.run)),
			el('td', {class: 'num'}, p.lower_bound ? '\u2265 ' : '', fmtInt(p.instructions)),
			el('td', {class: `num ${dcls}`}, fmtSigned(p.delta)),
			el('td', {class: `num ${dcls}`}, fmtPct(p.delta_pct)),
			el('td', {class: 'actions'}, p.previous_run
				? el('a', {href: compareLink(p), class: p.step ? 'step-link' : ''}, p.step ? 'step: compare' : 'compare') : ''),
			el('td', {class: 'time'}, fmtTime(p.created)));
	});
	fill(app, 
		el('div', {class: 'toolbar'},
			el('span', {class: 'legend'},
				el('span', {class: 'nowrap'}, el('span', {class: 'swatch step-good', 'aria-hidden': 'true'}), ' step down'),
				el('span', {class: 'nowrap'}, el('span', {class: 'swatch step-bad', 'aria-hidden': 'true'}), ' step up'),
				el('span', {class: 'hint'}, 'click a step to open its comparison')),
			el('span', {class: 'exports'}, 'JSON ',
				el('a', {href: href(`/api/v1/history/${enc(data.benchmark)}`, {series: data.series})}, 'history'))),
		pts.length ? box : el('p', {class: 'empty'}, 'No run has this benchmark.'),
		el('h2', {}, 'Runs ', el('span', {class: 'hint'}, 'newest first')),
		tableWrap(el('table', {class: 'data', id: 'history-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Run'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col', class: 'num'}, '\u0394 vs previous'),
				el('th', {scope: 'col', class: 'num'}, '\u0394 %'),
				el('th', {scope: 'col'}, el('span', {class: 'sr-only'}, 'Compare')),
				el('th', {scope: 'col'}, 'Created'))),
			el('tbody', {}, rows))));
	box.style.height = '320px';
	drawChart(box);
}

export function redraw() {
	if (data)
		draw();
}

export async function render(root) {
	app = root;
	const bench = decodeURIComponent(location.pathname.split('/')[2] || '');
	const series = state().get('series') || '';
	setCrumbs([['Runs', series ? href('/', {series}) : '/'], [`${bench} history`]]);
	data = await api(href(`/api/v1/history/${enc(bench)}`, {series}));
	const steps = data.points.filter(p => p.step).length;
	setHeading(series ? `${bench} in ${series}` : `${bench}, all runs`,
		   `${data.points.length} runs, ${steps} step${steps === 1 ? '' : 's'}: a step is the first run where the count moved.`);
	draw();
}
