// SPDX-License-Identifier: MIT
// The instruction-rate timeline on the benchmark page: draws
// GET /api/v1/runs/<id>/benchmarks/<bench>/rate (the PROG.rate[.N] files
// `tbscope record --rate MS` writes), one chart per invocation of
// instructions per second over the program's run time, so that its phases
// show (a compute loop, a sleep, a memory-bound stretch).  With several
// vCPUs each gets a thin line beside the total.  Nothing is drawn when no
// invocation was recorded with --rate.
import {api, cssVar, el, enc, fill, fmtInt, loadChart, makeChart} from './lib.js';

const MAX_CHARTS = 12; // invocations drawn; the JSON has every one
const CPU_COLOURS = ['#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626', '#2563eb'];

let charts = [];
let last = null; // {section, data} for redraw()

// "123.4 M/s": a rate with a metric prefix.
export function fmtRate(v) {
	if (!v)
		return '0';
	const units = ['', 'k', 'M', 'G', 'T'];
	let u = 0;
	while (v >= 1000 && u < units.length - 1) {
		v /= 1000;
		u++;
	}
	return `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}/s`;
}

// The step line of one series of counts: (0, r0), (t0, r0), (t1, r1), ...
// drawn stepped 'before', so the value of each interval spans it.
function points(inv, counts) {
	const pts = [];
	for (let i = 0; i < inv.time_ns.length; i++) {
		const dur = Number(inv.dur_ns[i]);
		const y = dur ? Number(counts[i]) * 1e9 / dur : 0;
		if (i === 0)
			pts.push({x: (Number(inv.time_ns[0]) - dur) / 1e9, y});
		pts.push({x: Number(inv.time_ns[i]) / 1e9, y});
	}
	return pts;
}

function destroy() {
	for (const c of charts)
		c.destroy();
	charts = [];
}

function drawOne(box, inv) {
	const accent = cssVar('--accent');
	const datasets = [{label: 'all vCPUs', data: points(inv, inv.count), borderColor: accent,
		backgroundColor: accent, stepped: 'before', borderWidth: 2, pointRadius: 0, fill: false}];
	inv.cpus.forEach((c, k) => datasets.push({label: `vCPU ${k}`, data: points(inv, c),
		borderColor: CPU_COLOURS[k % CPU_COLOURS.length], stepped: 'before', borderWidth: 1,
		pointRadius: 0, fill: false}));
	charts.push(makeChart(box.querySelector('canvas'), {
		type: 'line',
		data: {datasets},
		tooltip: {
			title: items => (items.length ? `${items[0].parsed.x.toFixed(3)} s` : ''),
			label: c => `${datasets.length > 1 ? c.dataset.label + ': ' : ''}${fmtRate(c.parsed.y)}`,
		},
		scales: {
			x: {type: 'linear', min: 0, title: {display: true, text: 'time since start (s)', color: cssVar('--fg')}},
			y: {beginAtZero: true, title: {display: true, text: 'instructions per second', color: cssVar('--fg')},
				ticks: {callback: v => fmtRate(v)}},
		},
		clickable: () => false,
	}));
}

function draw(section, data) {
	destroy();
	const invs = data.invocations || [];
	if (!invs.length) {
		section.hidden = true;
		return;
	}
	section.hidden = false;
	const boxes = [];
	const items = invs.slice(0, MAX_CHARTS).map(inv => {
		const n = inv.time_ns.length;
		const secs = n ? Number(inv.time_ns[n - 1]) / 1e9 : 0;
		const rates = inv.count.map((c, i) => (Number(inv.dur_ns[i]) ? Number(c) * 1e9 / Number(inv.dur_ns[i]) : 0));
		const peak = rates.length ? Math.max(...rates) : 0;
		const same = BigInt(inv.total) === BigInt(inv.instructions);
		const box = el('div', {class: 'chart-box rate-chart'},
			el('canvas', {role: 'img', 'aria-label': `Instructions per second of ${inv.qemu_out} over ${secs.toFixed(2)} s in ${n} intervals, peak ${fmtRate(peak)}`}));
		box.style.height = '240px';
		boxes.push([box, inv]);
		return el('figure', {class: 'rate-invocation', dataset: {invocation: String(inv.invocation), intervals: String(n)}},
			el('figcaption', {},
				el('span', {class: 'name mono'}, (inv.rate || inv.qemu_out).split('/').pop()), ' ',
				el('span', {class: 'hint'},
					`${n} intervals, ${secs.toFixed(2)} s, peak ${fmtRate(peak)}, ${fmtInt(inv.total)} instructions `,
					same ? '(= the .qemu_out total)' : `(the .qemu_out total is ${fmtInt(inv.instructions)})`)),
			box);
	});
	fill(section,
		el('h2', {id: 'rate-heading'}, 'Instruction rate ',
			el('span', {class: 'hint'}, 'per invocation, from tbscope record --rate')),
		items,
		invs.length > MAX_CHARTS ? el('p', {class: 'hint'}, `${invs.length - MAX_CHARTS} more invocations in the `,
			el('a', {href: `/api/v1/runs/${enc(data.run)}/benchmarks/${enc(data.benchmark)}/rate`}, 'JSON')) : null);
	if (window.Chart)
		for (const [box, inv] of boxes)
			drawOne(box, inv);
}

// Fill `section` (hidden until there is a timeline) for run id's bench.
export async function drawRate(section, id, bench) {
	let data;
	try {
		[data] = await Promise.all([api(`/api/v1/runs/${enc(id)}/benchmarks/${enc(bench)}/rate`), loadChart()]);
	} catch {
		section.hidden = true; // the rest of the page stands without it
		return;
	}
	last = {section, data};
	draw(section, data);
}

// Draw again (the theme changed).
export function redrawRate() {
	if (last && last.section.isConnected)
		draw(last.section, last.data);
}
