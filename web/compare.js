// SPDX-License-Identifier: MIT
// /compare/<base>...<new>: draws GET /api/v1/compare/<base>...<new>
// (with ?objects=1 when per-object figures are shown, and ?threshold=PCT:
// the server decides each benchmark's "change" and counts them), plus the
// two runs' own warnings from GET /api/v1/runs/<id>.
//
// View state in the URL: threshold (%), regressions=1, objects=1,
// sort=key|-key (default -mag: |delta %| largest first), bench=<name>.
// Above the figures: both runs' metadata and their neighbours in the
// series (GET /api/v1/runs/<id>/neighbours).
import {api, changeClass, fill, cssVar, dirClass, el, enc, errorBox, fmtInt, fmtPct, fmtShare, fmtSigned,
	fmtTime, href, loadChart, makeChart, setCrumbs, setHeading, setState, sortBy, sortHeader, state,
	regressionLinks, tableWrap} from './lib.js';

const DEFAULT_SORT = '-mag';

let data = null;       // the compare JSON
let withObjects = false;
let loading = null;    // the query of the newest fetch of data
let runs = [null, null]; // /api/v1/runs/<id> of base and new (warnings)
let spec = '';
let pathBench = null;
let app = null;
let chart = null;
const parts = {};

function view() {
	const q = state();
	let threshold = Number.parseFloat(q.get('threshold') || '0');
	if (!(threshold >= 0) || !Number.isFinite(threshold))
		threshold = 0;
	return {
		threshold,
		regressions: q.get('regressions') === '1',
		objects: q.get('objects') === '1',
		sort: q.get('sort') || DEFAULT_SORT,
		bench: q.get('bench') || pathBench,
	};
}

// The compare JSON for view v: per-object figures once asked for, and
// each benchmark's "change" decided by the server at v's threshold.
function apiQuery(v) {
	return {objects: withObjects || v.objects ? '1' : null,
		threshold: v.threshold > 0 ? String(v.threshold) : null};
}

function apiPath(query) {
	return href(`/api/v1/compare/${enc(spec.split('...')[0])}...${enc(spec.split('...').slice(1).join('...'))}`, query);
}

function visibleRows(v) {
	const rows = data.benchmarks.filter(b => {
		if (v.regressions)
			return b.change === 'regressed';
		if (data.threshold_pct > 0 && b.change === 'unchanged')
			return false;
		return true;
	});
	return sortBy(rows, v.sort, (b, k) => ({
		name: b.name, suite: b.suite, base: b.base_instructions,
		new: b.new_instructions, delta: b.delta, pct: b.delta_pct,
		mag: b.delta_pct === null ? null : Math.abs(b.delta_pct),
	})[k] ?? (k.startsWith('obj:') ? objectDelta(b, k.slice(4)) : null));
}

// ---- per-object columns ----------------------------------------------------

// The binary's object is named like the benchmark: one "binary" column.
function objectKey(b, o) {
	return o.name === b.name ? '(binary)' : o.name;
}

function objectColumns() {
	const weight = new Map();
	for (const b of data.benchmarks)
		for (const o of b.objects || []) {
			const k = objectKey(b, o);
			weight.set(k, (weight.get(k) || 0) + Number(o.base_instructions ?? o.new_instructions ?? 0));
		}
	return [...weight.keys()].sort((a, b) =>
		a === '(binary)' ? -1 : b === '(binary)' ? 1 : weight.get(b) - weight.get(a));
}

function objectOf(b, key) {
	return (b.objects || []).find(o => objectKey(b, o) === key);
}

function objectDelta(b, key) {
	const o = objectOf(b, key);
	return o ? o.delta : null;
}

// ---- drawing -----------------------------------------------------------------

function pctCell(pct, cls, extra) {
	return el('td', {class: `num ${cls}`}, fmtPct(pct), extra || null);
}

function drawWarnings() {
	const items = [];
	// recorded with a different QEMU or plugin options (tbscope-run.json)
	const rec = data.recording || {};
	if (rec.warning)
		items.push(el('li', {id: 'recording-warning'}, el('strong', {}, 'Not recorded alike: '),
			(rec.differs || []).map((d, i) => [i ? '; ' : '', `${d.field.replace('_', ' ')} `,
				el('code', {}, d.base || '\u2013'), ' vs ', el('code', {}, d.new || '\u2013')]),
			'. Counts may differ for that reason alone.'));
	if (data.only_in_base.length)
		items.push(el('li', {}, `Only in base (${data.only_in_base.length}): `,
			      data.only_in_base.join(', ')));
	if (data.only_in_new.length)
		items.push(el('li', {}, `Only in new (${data.only_in_new.length}): `,
			      data.only_in_new.join(', ')));
	const lb = data.benchmarks.filter(b => b.lower_bound).map(b => b.name);
	if (lb.length)
		items.push(el('li', {}, 'Lower bounds (the hotblocks plugin listed only its top blocks): ',
			      lb.join(', ')));
	const details = [];
	['base', 'new'].forEach((side, i) => {
		const r = runs[i];
		if (!r)
			return;
		const msgs = r.warning_messages || [];
		const malformed = (r.benchmarks || []).reduce((s, b) => s + (b.malformed_lines || 0), 0);
		if (malformed)
			items.push(el('li', {}, `${side}: ${fmtInt(malformed)} malformed line${malformed === 1 ? '' : 's'} (see `,
				      el('a', {href: `/runs/${enc(r.id)}`}, r.id), ')'));
		if (msgs.length)
			details.push(el('details', {class: 'run-warnings'},
				el('summary', {}, `${side} (${r.id}): ${msgs.length} warning${msgs.length === 1 ? '' : 's'}`),
				el('ul', {}, msgs.map(m => el('li', {}, m)))));
	});
	if (!items.length && !details.length) {
		parts.warnings.replaceChildren();
		parts.warnings.hidden = true;
		return;
	}
	parts.warnings.hidden = false;
	parts.warnings.replaceChildren(
		el('div', {class: 'notice warn', role: 'note'},
			el('strong', {}, 'Warnings'),
			items.length ? el('ul', {}, items) : null,
			details));
}

function card(label, value, cls, sub, extraCls) {
	return el('div', {class: `card ${extraCls || ''}`},
		el('div', {class: 'card-label'}, label),
		el('div', {class: `card-value ${cls}`}, value),
		sub ? el('div', {class: 'card-sub'}, sub) : null);
}

function drawSummary(v) {
	const counts = data.changes;
	const onesided = counts.only_base + counts.only_new;
	const thr = data.threshold_pct;
	const g = data.geomean;
	const t = data.totals;
	const cards = [
		card('Geomean', g ? fmtPct(g.delta_pct) : 'n/a',
		     g ? dirClass(g.delta_pct, g.delta_pct) : 'dir-none',
		     g ? `${g.benchmarks} benchmarks, ratio ${g.ratio.toFixed(6)}` : 'no benchmark in both runs',
		     'geomean'),
	];
	// one card per suite, unless one group holds them all (the geomean's
	// card says it); benchmarks outside a SPEC layout have no suite
	const whole = data.suites.length === 1 && g && data.suites[0].benchmarks === g.benchmarks;
	for (const s of whole ? [] : data.suites)
		cards.push(card(s.suite || 'No suite', fmtPct(s.delta_pct), dirClass(s.delta_pct, s.delta_pct),
				`${s.benchmarks} benchmark${s.benchmarks === 1 ? '' : 's'}`, 'suite'));
	cards.push(card('Total instructions', [fmtSigned(t.delta), ' ', el('span', {class: 'card-aside'}, fmtPct(t.delta_pct))],
			dirClass(t.delta, t.delta_pct),
			`${fmtInt(t.base_instructions)} \u2192 ${fmtInt(t.new_instructions)}`, 'total'));
	cards.push(el('div', {class: 'card counts', dataset: {threshold: String(thr)}},
		el('div', {class: 'card-label'}, thr > 0 ? `At \u00b1${thr} %` : 'Any change'),
		el('div', {class: 'count-line'},
			el('span', {class: 'dir-bad', dataset: {count: 'regressed'}}, `${counts.regressed} regressed`),
			el('span', {class: 'dir-good', dataset: {count: 'improved'}}, `${counts.improved} improved`),
			el('span', {class: 'dir-same', dataset: {count: 'unchanged'}}, `${counts.unchanged} unchanged`)),
		// like rustc-perf's triage summary: the range of each side
		['regressed', 'improved'].map(k => {
			const ps = data.benchmarks.filter(b => b.change === k).map(b => b.delta_pct);
			return ps.length ? el('div', {class: 'card-sub'},
				`${k}: ${fmtPct(Math.min(...ps))} \u2026 ${fmtPct(Math.max(...ps))}`) : null;
		}),
		onesided ? el('div', {class: 'card-sub'}, `${onesided} in one run only`) : null));
	parts.summary.replaceChildren(...cards);
}

function drawControls(v) {
	const thr = el('input', {type: 'number', id: 'threshold', min: '0', step: '0.1',
				 value: String(v.threshold), inputmode: 'decimal',
				 'aria-describedby': 'threshold-help'});
	thr.addEventListener('input', () => {
		const x = Number.parseFloat(thr.value);
		update({threshold: x > 0 ? thr.value : null});
	});
	const reg = el('input', {type: 'checkbox', id: 'regressions-only', checked: v.regressions});
	reg.addEventListener('change', () => update({regressions: reg.checked}));
	const obj = el('input', {type: 'checkbox', id: 'objects', checked: v.objects});
	obj.addEventListener('change', () => update({objects: obj.checked}));
	parts.controls.replaceChildren(
		el('label', {for: 'threshold'}, 'Threshold ', thr, ' %'),
		el('span', {id: 'threshold-help', class: 'hint'}, '|\u0394 %| above it counts as a change'),
		el('label', {class: 'check'}, reg, ' Regressions only'),
		el('label', {class: 'check'}, obj, ' Per-object columns'),
		el('span', {class: 'hint', id: 'row-count'}));
}

function drawChart(v, rows) {
	const both = rows.filter(b => b.in === 'both');
	const canvas = el('canvas', {id: 'delta-chart', role: 'img',
		'aria-label': `Bar chart of the change in instructions per benchmark, ${both.length} bars`});
	const box = el('div', {class: 'chart-box'}, canvas);
	parts.chart.replaceChildren(
		el('h2', {}, '\u0394 % per benchmark ', el('span', {class: 'hint'}, 'fewer instructions is better; click a bar for its details')),
		both.length ? box : el('p', {class: 'empty'}, 'No benchmark to draw with these filters.'));
	if (chart) {
		chart.destroy();
		chart = null;
	}
	if (!both.length || !window.Chart)
		return;
	// one bar per row, at a readable height (CSSOM: allowed by the CSP)
	box.style.height = `${both.length * 24 + 48}px`;
	const good = cssVar('--good'), bad = cssVar('--bad'), same = cssVar('--muted');
	const fg = cssVar('--fg'), accent = cssVar('--accent');
	const colour = b => ({regressed: bad, improved: good})[b.change] || same;
	chart = makeChart(canvas, {
		type: 'bar',
		data: {
			labels: both.map(b => b.name),
			datasets: [{
				data: both.map(b => b.delta_pct),
				backgroundColor: both.map(b => colour(b) + 'd0'),
				borderColor: both.map(b => (b.name === v.bench ? accent : colour(b))),
				borderWidth: both.map(b => (b.name === v.bench ? 2 : 0)),
				barPercentage: 0.8,
				categoryPercentage: 0.9,
			}],
		},
		plugins: [barLabels(both, fg, cssVar('--bg'))],
		indexAxis: 'y',
		tooltip: {
			label: ctx => {
				const b = both[ctx.dataIndex];
				return `${fmtPct(b.delta_pct)} (${fmtSigned(b.delta)}): ${fmtInt(b.base_instructions)} \u2192 ${fmtInt(b.new_instructions)}`;
			},
		},
		scales: {
			x: {ticks: {callback: x => `${x > 0 ? '+' : ''}${Number(x.toFixed(4))} %`},
			    grid: {lineWidth: c => (c.tick && c.tick.value === 0 ? 2 : 1)},
			    grace: '22%'},
			y: {ticks: {autoSkip: false, font: {family: cssVar('--mono')}},
			    grid: {display: false}},
		},
		onPick: i => update({bench: both[i].name}),
	});
}

// Each bar's Δ % written at its tip (outside the bar).
function barLabels(rows, colour, inside) {
	return {
		id: 'tbscopeBarLabels',
		afterDatasetsDraw(c) {
			const ctx = c.ctx;
			ctx.save();
			ctx.font = `12px ${cssVar('--mono')}`;
			ctx.fillStyle = colour;
			ctx.textBaseline = 'middle';
			const area = c.chartArea;
			c.getDatasetMeta(0).data.forEach((bar, i) => {
				const p = rows[i].delta_pct;
				const text = fmtPct(p);
				const w = ctx.measureText(text).width + 5;
				// outside the tip if it fits, else inside the bar
				const outside = p < 0 ? bar.x - w >= area.left : bar.x + w <= area.right;
				ctx.fillStyle = outside ? colour : inside;
				ctx.textAlign = (p < 0) === outside ? 'right' : 'left';
				ctx.fillText(text, bar.x + ((p < 0) === outside ? -5 : 5), bar.y);
			});
			ctx.restore();
		},
	};
}

function drawTable(v, rows) {
	const objCols = v.objects && data.benchmarks.some(b => b.objects) ? objectColumns() : [];
	const onSort = s => update({sort: s === DEFAULT_SORT ? null : s});
	const head = el('tr', {},
		sortHeader('Benchmark', 'name', v.sort, onSort),
		sortHeader('Suite', 'suite', v.sort, onSort, 'suite'),
		sortHeader('Base', 'base', v.sort, onSort, 'num'),
		sortHeader('New', 'new', v.sort, onSort, 'num'),
		sortHeader('\u0394', 'delta', v.sort, onSort, 'num'),
		sortHeader('\u0394 %', 'pct', v.sort, onSort, 'num'),
		objCols.map(k => {
			const th = sortHeader(`\u0394 ${k}`, `obj:${k}`, v.sort, onSort, 'num obj');
			th.title = `instructions in ${k}, new minus base`;
			return th;
		}));
	const body = rows.map(b => {
		const dcls = changeClass(b.change);
		const lb = b.lower_bound ? el('abbr', {class: 'lb', title: 'lower bound: the plugin listed only its top blocks'}, '\u2265') : null;
		const link = el('a', {href: href(location.pathname, {...Object.fromEntries(state()), bench: b.name}),
				      class: 'bench-link',
				      onclick: e => { e.preventDefault(); update({bench: b.name === v.bench ? null : b.name}); }},
				b.name);
		return el('tr', {class: `${b.change} ${b.name === v.bench ? 'selected' : ''}`,
				 dataset: {bench: b.name}, 'aria-selected': b.name === v.bench ? 'true' : null},
			el('th', {scope: 'row', class: 'name'}, link),
			el('td', {class: 'suite'}, b.suite || ''),
			el('td', {class: 'num base'}, b.in === 'new' ? '\u2013' : [lb, fmtInt(b.base_instructions)]),
			el('td', {class: 'num new'}, b.in === 'base' ? '\u2013' : [lb ? lb.cloneNode(true) : null, fmtInt(b.new_instructions)]),
			el('td', {class: `num delta ${dcls}`}, fmtSigned(b.delta)),
			b.in === 'both' ? pctCell(b.delta_pct, `pct ${dcls}`)
				: el('td', {class: 'num pct'}, el('span', {class: 'tag'}, `only in ${b.in}`)),
			objCols.map(k => {
				const o = objectOf(b, k);
				if (!o)
					return el('td', {class: 'num obj dir-none', dataset: {label: k}}, '');
				return el('td', {class: `num obj ${dirClass(o.delta)}`, dataset: {label: k},
						 title: `${o.name}: ${fmtInt(o.base_instructions)} \u2192 ${fmtInt(o.new_instructions)}`},
					fmtSigned(o.delta));
			}));
	});
	const t = data.totals, g = data.geomean;
	const foot = el('tfoot', {},
		el('tr', {class: 'total'},
			el('th', {scope: 'row', class: 'name'}, rows.length < data.benchmarks.length
				? ['Total', el('span', {class: 'sub'}, `all ${data.benchmarks.length} benchmarks, not only those shown`)] : 'Total'),
			el('td', {class: 'blank'}),
			el('td', {class: 'num base'}, fmtInt(t.base_instructions)),
			el('td', {class: 'num new'}, fmtInt(t.new_instructions)),
			el('td', {class: `num delta ${dirClass(t.delta)}`}, fmtSigned(t.delta)),
			pctCell(t.delta_pct, `pct ${dirClass(t.delta, t.delta_pct)}`),
			objCols.map(() => el('td', {class: 'blank'}))),
		el('tr', {class: 'geomean'},
			el('th', {scope: 'row', class: 'name'}, 'Geomean'),
			[0, 1, 2, 3].map(() => el('td', {class: 'blank'})),
			g ? pctCell(g.delta_pct, `pct ${dirClass(g.delta_pct, g.delta_pct)}`) : el('td', {class: 'num pct'}, 'n/a'),
			objCols.map(() => el('td', {class: 'blank'}))));
	const table = el('table', {id: 'compare-table', class: 'data'},
		el('thead', {}, head),
		el('tbody', {}, body.length ? body
			: el('tr', {class: 'empty'}, el('td', {colspan: String(6 + objCols.length)},
				v.regressions ? 'No regressions at this threshold.' : 'No benchmark passes these filters.'))),
		foot);
	parts.table.replaceChildren(tableWrap(table));
	document.getElementById('row-count').textContent =
		`showing ${rows.length} of ${data.benchmarks.length} benchmarks` +
		(v.sort === DEFAULT_SORT ? ', largest |\u0394 %| first' : '');
}

// "Where the delta comes from": GET /api/v1/compare/<base>...<new>/<bench>,
// fetched once per selected benchmark.
const diffs = new Map();
const DIFF_FUNCTIONS = 15;

function diffPath(bench, query) {
	return href(`/api/v1/compare/${enc(data.base.run)}...${enc(data.new.run)}/${enc(bench)}`, query);
}

function partRows(parts, withName) {
	return parts.map(p => el('tr', {class: p.delta === 0 ? 'zero' : null},
		el('th', {scope: 'row', class: withName ? 'name mono' : null}, withName ? p.name : p.object),
		el('td', {class: `num ${dirClass(p.delta)}`}, fmtSigned(p.delta)),
		el('td', {class: `num ${dirClass(p.delta, p.delta_pct)}`},
			p.in === 'both' ? fmtPct(p.delta_pct) : el('span', {class: 'tag'}, `only in ${p.in}`)),
		withName ? el('td', {class: 'muted'}, p.object) : null,
		el('td', {class: 'num'}, fmtInt(p.base)),
		el('td', {class: 'num'}, fmtInt(p.new)),
		el('td', {class: 'num muted'}, p.share_pct === null ? '' : fmtShare(p.share_pct))));
}

function partTable(id, caption, parts, withName, other) {
	return tableWrap(el('table', {class: 'data parts', id},
		el('caption', {}, caption),
		el('thead', {}, el('tr', {},
			el('th', {scope: 'col'}, withName ? 'Function' : 'Object'),
			el('th', {class: 'num', scope: 'col'}, '\u0394'),
			el('th', {class: 'num', scope: 'col'}, '\u0394 %'),
			withName ? el('th', {scope: 'col'}, 'Object') : null,
			el('th', {class: 'num', scope: 'col'}, 'Base'),
			el('th', {class: 'num', scope: 'col'}, 'New'),
			el('th', {class: 'num', scope: 'col', title: 'share of the benchmark\'s delta'}, 'of \u0394'))),
		el('tbody', {}, partRows(parts, withName)),
		other && other.count ? el('tfoot', {}, el('tr', {class: 'other'},
			el('th', {scope: 'row'}, `${fmtInt(other.count)} more functions`),
			el('td', {class: `num ${dirClass(other.delta)}`}, fmtSigned(other.delta)),
			el('td'), el('td'),
			el('td', {class: 'num'}, fmtInt(other.base)),
			el('td', {class: 'num'}, fmtInt(other.new)),
			el('td', {class: 'num muted'}, fmtShare(other.share_pct)))) : null));
}

function drawDetail(v) {
	const b = v.bench && data.benchmarks.find(x => x.name === v.bench);
	if (!b) {
		parts.detail.hidden = true;
		parts.detail.replaceChildren();
		return;
	}
	const base = data.base.run, nu = data.new.run;
	const dcls = changeClass(b.change);
	const seriesQ = runs[1] && runs[1].series ? {series: runs[1].series} : {};
	const d = diffs.get(b.name);
	let body;
	if (b.in !== 'both')
		body = el('p', {class: 'hint'}, `Only in the ${b.in} run: nothing to compare.`);
	else if (d instanceof Error)
		body = errorBox(d);
	else if (!d) {
		body = el('p', {class: 'loading'}, 'Loading where the delta comes from\u2026');
		if (!diffs.has(b.name)) {
			diffs.set(b.name, null);
			api(diffPath(b.name, {limit: String(DIFF_FUNCTIONS)}))
				.then(j => diffs.set(b.name, j), err => diffs.set(b.name, err))
				.then(() => { if (view().bench === b.name) drawDetail(view()); });
		}
	} else
		body = el('div', {class: 'parts-grid'},
			partTable('detail-objects', 'By object', d.objects, false, null),
			partTable('detail-functions', `By function (largest |\u0394| first, ${Math.min(DIFF_FUNCTIONS, d.functions_total)} of ${fmtInt(d.functions_total)})`,
				  d.functions, true, d.functions_other));
	fill(parts.detail,
		el('div', {class: 'detail-head'},
			el('h2', {}, b.name, ' ', el('span', {class: dcls}, b.in === 'both' ? fmtPct(b.delta_pct) : `only in ${b.in}`),
				b.in === 'both' ? el('span', {class: `detail-delta ${dcls}`}, ` ${fmtSigned(b.delta)}`) : null),
			el('button', {type: 'button', class: 'btn ghost', onclick: () => update({bench: null})}, 'Close')),
		el('p', {class: 'links'},
			b.in === 'both' ? el('a', {href: `/compare/${enc(base)}...${enc(nu)}/${enc(b.name)}`, id: 'detail-full', class: 'strong'},
				'Where the delta comes from: waterfall, mix, blocks \u2192') : null,
			b.in !== 'new' ? el('a', {href: `/runs/${enc(base)}/${enc(b.name)}`}, 'base run: hottest functions') : null,
			b.in !== 'base' ? el('a', {href: `/runs/${enc(nu)}/${enc(b.name)}`}, 'new run: hottest functions') : null,
			el('a', {href: href(`/history/${enc(b.name)}`, seriesQ)}, 'history'),
			b.in === 'both' ? el('a', {href: diffPath(b.name, {format: 'text', limit: '0'})}, 'all functions (text)') : null),
		body);
	parts.detail.hidden = false;
}

function drawActions() {
	const [base, nu] = [data.base.run, data.new.run];
	const q = Object.fromEntries(state());
	const copy = el('button', {type: 'button', class: 'btn', id: 'copy-permalink'}, 'Copy permalink');
	copy.addEventListener('click', async () => {
		const url = location.href;
		try {
			await navigator.clipboard.writeText(url);
			copy.textContent = 'Copied';
		} catch (e) {
			window.prompt('Permalink', url);
		}
		setTimeout(() => { copy.textContent = 'Copy permalink'; }, 1500);
	});
	const v = view();
	const exp = fmt => href(`/api/v1/compare/${enc(base)}...${enc(nu)}`,
		{format: fmt, objects: fmt === 'json' && v.objects ? '1' : null,
		 threshold: fmt !== 'text' && v.threshold > 0 ? String(v.threshold) : null});
	parts.actions.replaceChildren(
		el('a', {class: 'btn', id: 'swap', href: href(`/compare/${enc(nu)}...${enc(base)}`, q),
			 title: 'Compare the other way round'}, '\u21c4 Swap'),
		copy,
		el('span', {class: 'exports'}, 'Export ',
			el('a', {href: exp('json'), id: 'export-json'}, 'JSON'),
			el('a', {href: exp('csv'), id: 'export-csv'}, 'CSV'),
			el('a', {href: exp('markdown'), id: 'export-markdown'}, 'Markdown'),
			el('a', {href: exp('table'), id: 'export-text',
				 title: 'A text table: signed deltas, thousands separators'}, 'Text')));
}

function drawDynamic() {
	const v = view();
	drawSummary(v);
	const rows = visibleRows(v);
	drawActions();
	drawChart(v, rows);
	drawDetail(v);
	drawTable(v, rows);
}

// Fetch the comparison again when the view asks for what it lacks: the
// per-object figures, or the changes at another threshold.  The newest
// request wins.
async function ensureData() {
	const v = view();
	const q = apiQuery(v);
	const key = JSON.stringify(q);
	if (key === loading)
		return;
	loading = key;
	let j;
	try {
		j = await api(apiPath(q));
	} catch (err) {
		if (loading === key)
			loading = null; // the next change of view tries again
		throw err;
	}
	if (loading !== key)
		return;
	withObjects = q.objects === '1';
	data = j;
	drawDynamic();
}

function update(patch) {
	setState(patch);
	drawDynamic();
	// the details of a newly selected benchmark: bring them into view
	if (patch.bench)
		parts.detail.scrollIntoView({block: 'nearest'});
	ensureData().catch(err => parts.table.prepend(errorBox(err)));
}

export function redraw() {
	if (data)
		drawDynamic();
}

export async function render(root) {
	app = root;
	const segs = location.pathname.split('/').slice(2).map(decodeURIComponent);
	spec = segs[0] || '';
	pathBench = segs[1] || null;
	const [a, b] = [spec.split('...')[0], spec.split('...').slice(1).join('...')];
	setCrumbs([['Runs', '/'], [`${a} \u2192 ${b}`]]);
	fill(app, el('p', {class: 'loading'}, 'Loading the comparison\u2026'));
	const v = view();
	const q = apiQuery(v);
	withObjects = v.objects;
	loading = JSON.stringify(q);
	data = await api(apiPath(q), msg => fill(app, el('p', {class: 'loading'}, msg + '\u2026')));
	const [base, nu] = [data.base.run, data.new.run];
	setCrumbs([['Runs', '/'], [`${base} \u2192 ${nu}`]]);
	setHeading(`${base} \u2192 ${nu}`, [
		'Base ', el('a', {href: `/runs/${enc(base)}`}, base), ', new ',
		el('a', {href: `/runs/${enc(nu)}`}, nu),
		'. Exact dynamic instruction counts; fewer is better.']);
	let near;
	[runs, near] = await Promise.all([
		Promise.all([base, nu].map(id => api(`/api/v1/runs/${enc(id)}`).catch(() => null))),
		Promise.all([base, nu].map(id => api(`/api/v1/runs/${enc(id)}/neighbours`).catch(() => null))),
		loadChart()]);
	for (const k of ['actions', 'runs', 'warnings', 'summary', 'controls', 'chart', 'detail', 'table'])
		parts[k] = el('section', {id: k === 'runs' ? 'run-info' : k, class: k === 'runs' ? 'run-info' : k});
	parts.warnings.hidden = true;
	parts.detail.hidden = true;
	fill(app, parts.actions, parts.runs, parts.warnings, parts.summary, parts.controls,
			    parts.chart, parts.detail, parts.table);
	drawRunInfo(near);
	drawWarnings();
	drawControls(v);
	drawDynamic();
	// ?bench=: its panel in view
	if (v.bench && !parts.detail.hidden)
		parts.detail.scrollIntoView({block: 'start'});
}

// ---- the two runs: metadata, and their neighbours in the series -------------

const META_LABELS = [['title', 'Title'], ['commit', 'Commit'], ['branch', 'Branch'], ['compiler', 'Compiler'],
	['flags', 'Flags'], ['machine', 'Machine']];

// A run's commit, linked to the run's commit_url (the API resolves it from
// the metadata's `url` or the server's --commit-url template).
function commitOf(r, meta) {
	const c = meta.commit === undefined || meta.commit === null ? null : String(meta.commit);
	if (!c)
		return null;
	const text = el('span', {class: 'mono', title: c}, c.slice(0, 12));
	return typeof r.commit_url === 'string' && /^https?:\/\//.test(r.commit_url)
		? el('a', {href: r.commit_url, rel: 'noopener noreferrer', class: 'commit-link'}, text) : text;
}

function runCard(label, n) {
	const r = n.run;
	const meta = r.meta && typeof r.meta === 'object' ? r.meta : {};
	const items = [['Run', el('a', {href: `/runs/${enc(r.id)}`, class: 'mono'}, r.id)],
		['Series', r.series === null ? el('span', {class: 'muted'}, 'none')
			: el('a', {href: href('/', {series: r.series})}, r.series)],
		['Date', fmtTime(r.created)]];
	for (const [k, l] of META_LABELS)
		if (meta[k] !== undefined && meta[k] !== null)
			items.push([l, k === 'commit' ? commitOf(r, meta) : String(meta[k])]);
	return el('div', {class: `run-card run-${label}`, dataset: {run: r.id}},
		el('h2', {}, label === 'base' ? 'Base' : 'New'),
		el('dl', {class: 'meta-list'}, items.map(([k, x]) => [el('dt', {}, k), el('dd', {}, x)])),
		el('p', {class: 'neighbours'},
			n.previous ? el('a', {href: `/runs/${enc(n.previous.id)}`, rel: 'prev', class: 'prev-run'}, `\u2190 ${n.previous.id}`)
				: el('span', {class: 'muted'}, 'first of its series'),
			n.next ? el('a', {href: `/runs/${enc(n.next.id)}`, rel: 'next', class: 'next-run'}, `${n.next.id} \u2192`)
				: el('span', {class: 'muted'}, 'newest of its series')));
}

// The regression this pair of runs opened, if any.
export function compareExtras(base, nu) {
	return regressionLinks(base, nu);
}

function drawRunInfo(near) {
	const [nb, nn] = near;
	if (!nb || !nn) {
		parts.runs.hidden = true;
		return;
	}
	// stepping through the series: the pair before and the pair after,
	// when this comparison is a run against its previous run
	const consecutive = nn.previous && nn.previous.id === nb.run.id;
	const q = Object.fromEntries(state());
	fill(parts.runs,
		runCard('base', nb), runCard('new', nn),
		consecutive ? el('nav', {class: 'series-nav', 'aria-label': 'Comparisons of the series'},
			nb.previous ? el('a', {href: href(`/compare/${enc(nb.previous.id)}...${enc(nb.run.id)}`, q), id: 'prev-pair'},
				`\u2190 ${nb.previous.id} \u2192 ${nb.run.id}`) : null,
			nn.next ? el('a', {href: href(`/compare/${enc(nn.run.id)}...${enc(nn.next.id)}`, q), id: 'next-pair'},
				`${nn.run.id} \u2192 ${nn.next.id} \u2192`) : null) : null,
		compareExtras(nb.run.id, nn.run.id));
}
