// SPDX-License-Identifier: MIT
// /compare/<base>...<new>/<bench>: where one benchmark's delta comes from.
// Draws GET /api/v1/compare/<base>...<new>/<bench>?limit=N&function=F
// (&object=O): a waterfall of the function contributions (base total, each
// function's delta, the rest, new total: the API's parts add up exactly to
// the delta), the functions and objects, the instruction mix of both runs
// as stacked strips and its delta by class and by mnemonic, the hottest
// blocks of one function side by side, and the QEMU command shape.
//
// View state in the URL: function (and object, when the name is in more
// than one object) - the function whose blocks are shown; default: the
// function that moved most.  all=1: also list the functions whose count
// did not change.
import {api, cssVar, dirClass, el, enc, errorBox, fill, fmtInt, fmtPct, fmtShare, fmtSigned,
	href, loadChart, makeChart, setCrumbs, setHeading, setState, state, tableWrap} from './lib.js';
import {blockView, byLegend, mixStrip, swatch} from './mix.js';

const FUNCTIONS = 20; // functions fetched (and drawn in the waterfall)
const SHOWN = 12;     // functions listed until "show all"
const BLOCKS = 5;     // blocks per side until "more"
const FOLD_PCT = 0.5; // waterfall steps under this share of |delta| fold into the rest
let showAllFns = false, showAllBlocks = false, showAllMn = false;

let base = '', nu = '', bench = '';
let series = null; // the new run's series, for the History link
let data = null;   // the API answer, with the blocks of `shown`
let chart = null;
const parts = {};

function apiPath(query) {
	return href(`/api/v1/compare/${enc(base)}...${enc(nu)}/${enc(bench)}`, query);
}

function pagePath(a, b, query) {
	return href(`/compare/${enc(a)}...${enc(b)}/${enc(bench)}`, query);
}

// The function whose blocks are shown: the URL's, else the one that moved most.
function chosen() {
	const q = state();
	if (q.get('function'))
		return {name: q.get('function'), object: q.get('object') || null, explicit: true};
	const top = data && data.functions[0];
	return top ? {name: top.name, object: top.object, explicit: false} : null;
}

function sameFn(f, c) {
	return c && f.name === c.name && (!c.object || f.object === c.object);
}

function ofDelta(p) {
	return fmtShare(p);
}

// "0.03 % of Δ, against": a part that moved the other way than the total
function shareWords(share, delta, total) {
	if (share === null || share === undefined)
		return '';
	const against = (delta > 0n && total < 0n) || (delta < 0n && total > 0n);
	return `${fmtShare(Math.abs(share))} of \u0394${against ? ', against' : ''}`;
}

// A function's label: a section without a symbol ("[.text]") is named
// with its object.
function fnLabel(name, object) {
	return name.startsWith('[') && object ? `${name} ${object}` : name;
}

function card(label, value, cls, sub, id) {
	return el('div', {class: 'card', id},
		el('div', {class: 'card-label'}, label),
		el('div', {class: `card-value ${cls || ''}`}, value),
		sub ? el('div', {class: 'card-sub'}, sub) : null);
}

function copyButton(text, label) {
	const b = el('button', {type: 'button', class: 'btn ghost copy', title: 'Copy to the clipboard'}, label || 'Copy');
	b.addEventListener('click', async () => {
		try {
			await navigator.clipboard.writeText(text);
			b.textContent = 'Copied';
		} catch (e) {
			window.prompt('Copy', text);
		}
		setTimeout(() => { b.textContent = label || 'Copy'; }, 1500);
	});
	return b;
}

function command(text, id) {
	return el('div', {class: 'command', id},
		el('code', {}, text), copyButton(text));
}

// ---- summary -------------------------------------------------------------------

function drawSummary() {
	const d = data;
	const dcls = dirClass(d.delta, d.delta_pct);
	const changed = d.functions.filter(f => f.code_changed === true);
	const lb = d.base.lower_bound || d.new.lower_bound;
	fill(parts.summary,
		card('\u0394 %', fmtPct(d.delta_pct), dcls, `${fmtSigned(d.delta)} instructions`, 'delta-pct'),
		card('Base', fmtInt(d.base.instructions), '', el('a', {href: `/runs/${enc(base)}/${enc(bench)}`}, base)),
		card('New', fmtInt(d.new.instructions), '', el('a', {href: `/runs/${enc(nu)}/${enc(bench)}`}, nu)),
		card('Functions', fmtInt(d.functions_total),
		     '', `${changed.length} of the ${d.functions.length} listed ${changed.length === 1 ? 'has' : 'have'} changed code`));
	parts.warnings.hidden = !lb;
	fill(parts.warnings, lb ? el('div', {class: 'notice warn', role: 'note'},
		el('strong', {}, 'Lower bound: '),
		`the hotblocks plugin listed only its top blocks in the ${d.base.lower_bound ? 'base' : 'new'} run; its totals are lower bounds.`) : null);
}

// ---- the waterfall -------------------------------------------------------------

const compact = new Intl.NumberFormat('en-US', {notation: 'compact', maximumSignificantDigits: 5});
const compactTick = new Intl.NumberFormat('en-US', {notation: 'compact', maximumSignificantDigits: 3});

function short(s, n) {
	return s.length > n ? s.slice(0, n - 1) + '\u2026' : s;
}

// The steps from the base total to the new total: every listed function
// whose count moved, then everything else; the API guarantees
// base + sum(functions) + other = new.
function waterfallSteps() {
	const d = data;
	const steps = [];
	let run = BigInt(d.base.instructions);
	const total = BigInt(d.new.instructions) - BigInt(d.base.instructions);
	const absTotal = total < 0n ? -total : total;
	// steps under FOLD_PCT % of |delta| would be sub-pixel slivers
	const big = f => {
		const x = BigInt(f.delta) < 0n ? -BigInt(f.delta) : BigInt(f.delta);
		return absTotal === 0n ? x !== 0n : Number(x) * 100 >= FOLD_PCT * Number(absTotal);
	};
	const moved = d.functions.filter(f => BigInt(f.delta) !== 0n && big(f));
	const small = d.functions.filter(f => BigInt(f.delta) !== 0n && !big(f));
	for (const f of moved) {
		const next = run + BigInt(f.delta);
		steps.push({label: f.name, object: f.object, from: run, to: next, delta: BigInt(f.delta),
			    share: f.share_pct, kind: 'function', code_changed: f.code_changed});
		run = next;
	}
	const o = d.functions_other;
	const zero = d.functions.length - moved.length;
	const otherCount = (o ? o.count : 0) + zero;
	if (otherCount) {
		let delta = BigInt(o ? o.delta : 0);
		for (const f of small)
			delta += BigInt(f.delta);
		const share = absTotal === 0n ? null : Number(delta) * 100 / Number(total);
		steps.push({label: `${fmtInt(otherCount)} other functions`, from: run, to: run + delta, delta,
			    share, kind: 'other'});
		run += delta;
	}
	return {steps, end: run, total};
}

function drawWaterfall() {
	const d = data;
	const {steps, end, total} = waterfallSteps();
	const b0 = BigInt(d.base.instructions), b1 = BigInt(d.new.instructions);
	const bars = [{label: `base ${base}`, from: 0n, to: b0, kind: 'total', delta: b0},
		      ...steps,
		      {label: `new ${nu}`, from: 0n, to: b1, kind: 'total', delta: b1}];
	const pts = [b0, b1, ...steps.flatMap(s => [s.from, s.to])];
	const lo = pts.reduce((a, b) => (b < a ? b : a)), hi = pts.reduce((a, b) => (b > a ? b : a));
	const span = Number(hi - lo) || Number(hi) * 0.01 || 1;
	// round the axis to a step of the scale of the span (no "8.4971M")
	const unit = 10 ** Math.floor(Math.log10(span || 1));
	const min = Math.max(0, Math.floor((Number(lo) - span * 0.35) / unit) * unit);
	const max = Math.ceil((Number(hi) + span * 0.08) / unit) * unit;
	const canvas = el('canvas', {id: 'waterfall-chart', role: 'img',
		'aria-label': `Waterfall: base ${fmtInt(b0)}, ${steps.length} steps, new ${fmtInt(b1)}`});
	const box = el('div', {class: 'chart-box'}, canvas);
	box.style.height = `${bars.length * 26 + 56}px`;
	const check = end === b1 ? null : el('div', {class: 'notice error'},
		`The parts do not add up: base + parts = ${fmtInt(end)}, new = ${fmtInt(b1)}.`);
	fill(parts.waterfall,
		el('h2', {}, 'Where the delta comes from ',
			el('span', {class: 'hint'}, `base total, each function\u2019s \u0394 (largest first), the rest (with every step under ${FOLD_PCT} % of the \u0394), new total; the axis starts at ${compact.format(min)}`)),
		check, box);
	if (chart) {
		chart.destroy();
		chart = null;
	}
	if (!window.Chart)
		return;
	const good = cssVar('--good'), bad = cssVar('--bad'), muted = cssVar('--muted');
	const fg = cssVar('--fg'), accent = cssVar('--accent');
	const colour = s => (s.kind === 'total' ? muted : s.delta < 0n ? good : s.delta > 0n ? bad : muted);
	const c = chosen();
	chart = makeChart(canvas, {
		type: 'bar',
		data: {
			labels: bars.map(s => s.label),
			datasets: [{
				data: bars.map(s => [Number(s.from), Number(s.to)]),
				backgroundColor: bars.map(s => colour(s) + (s.kind === 'total' ? '80' : 'd8')),
				borderColor: bars.map(s => (s.kind === 'function' && sameFn(s, c) ? accent : colour(s))),
				borderWidth: bars.map(s => (s.kind === 'function' && sameFn(s, c) ? 2 : 0)),
				borderSkipped: false,
				barPercentage: 0.85,
				categoryPercentage: 0.9,
				minBarLength: 2,
			}],
		},
		plugins: [{
			id: 'tbscopeStepLabels',
			afterDatasetsDraw(ch) {
				const ctx = ch.ctx, area = ch.chartArea;
				ctx.save();
				ctx.font = `12px ${cssVar('--mono')}`;
				ctx.textBaseline = 'middle';
				ch.getDatasetMeta(0).data.forEach((bar, i) => {
					const s = bars[i];
					const short = s.kind === 'total' ? fmtInt(s.to) : fmtSigned(s.delta);
					const full = s.kind === 'total' || s.share === null || s.share === undefined
						? short : `${short} \u00b7 ${shareWords(s.share, s.delta, total)}`;
					const right = Math.max(bar.x, bar.base), left = Math.max(area.left, Math.min(bar.x, bar.base));
					// right of the bar, else inside it, else left of it;
					// without the share of the delta if nothing else fits
					const place = text => {
						const w = ctx.measureText(text).width + 6;
						if (right + w <= area.right)
							return [text, right + 6, 'left', fg];
						if (right - left >= w)
							return [text, right - 6, 'right', cssVar('--bg')];
						if (left - w >= area.left)
							return [text, left - 6, 'right', fg];
						return null;
					};
					const [text, x, align, colour] = place(full) || place(short) || [short, right - 6, 'right', cssVar('--bg')];
					ctx.fillStyle = colour;
					ctx.textAlign = align;
					ctx.fillText(text, x, bar.y);
				});
				ctx.restore();
			},
		}],
		indexAxis: 'y',
		tooltip: {
			title: items => bars[items[0].dataIndex].label,
			label: item => {
				const s = bars[item.dataIndex];
				if (s.kind === 'total')
					return `${fmtInt(s.to)} instructions`;
				return `${fmtSigned(s.delta)} (${shareWords(s.share, s.delta, total)}): ${fmtInt(s.from)} \u2192 ${fmtInt(s.to)}` +
					(s.object ? `, ${s.object}` : '');
			},
		},
		scales: {
			x: {min, max, ticks: {callback: v => compactTick.format(v), maxTicksLimit: window.innerWidth < 640 ? 4 : 8}},
			y: {ticks: {autoSkip: false, font: {family: cssVar('--mono')},
				    callback: (v, i) => short(bars[i].kind === 'function' ? fnLabel(bars[i].label, bars[i].object) : bars[i].label,
							      window.innerWidth < 640 ? 16 : 36)},
			    grid: {display: false}},
		},
		clickable: i => bars[i].kind === 'function',
		onPick: i => choose(bars[i].label, bars[i].object),
	});
}

// ---- functions and objects ------------------------------------------------------

function codeFlag(f) {
	if (f.code_changed === true)
		return el('span', {class: 'tag changed', title: 'its disassembly (addresses normalised) differs between the builds'}, 'changed');
	if (f.code_changed === false)
		return el('span', {class: 'muted'}, 'same');
	return el('span', {class: 'muted', title: 'no disassembly to compare (not in both, or no symbol)'}, '\u2013');
}

function fnLink(f) {
	const q = {function: f.name, object: objectNeeded(f) ? f.object : null};
	return el('a', {href: pagePath(base, nu, q), class: 'fn-link',
			onclick: e => { e.preventDefault(); choose(f.name, f.object); }}, f.name);
}

// The object goes into the URL only when the name alone is ambiguous.
function objectNeeded(f) {
	return data.functions.filter(g => g.name === f.name).length > 1;
}

// Listed functions whose count did not move are folded away unless ?all=1
// (or one of them is the chosen function).
function shownFunctions(c) {
	if (state().get('all') === '1')
		return data.functions;
	return data.functions.filter(f => BigInt(f.delta) !== 0n || sameFn(f, c));
}

// The first SHOWN of them (and the chosen one) until "show all".
function listedFunctions(c) {
	const fs = shownFunctions(c);
	if (showAllFns || fs.length <= SHOWN)
		return fs;
	return fs.filter((f, i) => i < SHOWN || sameFn(f, c));
}

function unmovedToggle(c) {
	const all = state().get('all') === '1';
	const hidden = data.functions.length - shownFunctions(c).length;
	if (!all && !hidden)
		return null;
	const q = Object.fromEntries(state());
	const label = all ? 'Hide the listed functions whose count did not change'
		: `Show ${hidden} more listed function${hidden === 1 ? '' : 's'} whose count did not change`;
	return el('tr', {class: 'toggle'}, el('td', {colspan: '9'},
		el('a', {href: href(location.pathname, {...q, all: all ? null : '1'}), id: 'toggle-unmoved',
			 onclick: e => { e.preventDefault(); setState({all: all ? null : '1'}); drawFunctions(); }}, label)));
}

function drawFunctions() {
	const d = data, c = chosen();
	const o = d.functions_other;
	const listed = listedFunctions(c);
	const more = shownFunctions(c).length - listed.length;
	let cum = 0;
	const cumOf = f => {
		cum += f.share_pct || 0;
		return fmtShare(cum);
	};
	fill(parts.functions,
		el('h2', {}, 'Functions ', el('span', {class: 'hint'},
			`largest |\u0394| first, ${d.functions.length} of ${fmtInt(d.functions_total)}; click one for its blocks side by side`)),
		tableWrap(el('table', {class: 'data', id: 'delta-functions'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Function'),
				el('th', {scope: 'col', class: 'obj-col'}, 'Object'),
				el('th', {scope: 'col', class: 'num bn'}, 'Base'),
				el('th', {scope: 'col', class: 'num bn'}, 'New'),
				el('th', {scope: 'col', class: 'num'}, '\u0394'),
				el('th', {scope: 'col', class: 'num pct-col'}, '\u0394 %'),
				el('th', {scope: 'col', class: 'num share', title: 'share of the benchmark\u2019s delta'}, 'of \u0394'),
				el('th', {scope: 'col', class: 'num share cum', title: 'this and every function above it'}, 'cumulative'),
				el('th', {scope: 'col'}, 'Code'))),
			el('tbody', {}, listed.map(f => el('tr', {
				class: `${BigInt(f.delta) === 0n ? 'zero' : ''} ${sameFn(f, c) ? 'selected' : ''}`,
				dataset: {fn: f.name, object: f.object}},
				el('th', {scope: 'row', class: 'name'}, fnLink(f)),
				el('td', {class: 'muted obj-col'}, f.object),
				el('td', {class: 'num bn'}, f.in === 'new' ? '\u2013' : fmtInt(f.base)),
				el('td', {class: 'num bn'}, f.in === 'base' ? '\u2013' : fmtInt(f.new)),
				el('td', {class: `num delta ${dirClass(f.delta)}`}, fmtSigned(f.delta)),
				el('td', {class: `num pct-col ${dirClass(f.delta, f.delta_pct)}`},
					f.in === 'both' ? fmtPct(f.delta_pct) : el('span', {class: 'tag'}, `only in ${f.in}`)),
				el('td', {class: 'num muted share'}, ofDelta(f.share_pct)),
				el('td', {class: 'num muted share cum'}, cumOf(f)),
				el('td', {class: 'code'}, codeFlag(f)))),
				more > 0 ? el('tr', {class: 'toggle'}, el('td', {colspan: '9'},
					el('button', {type: 'button', class: 'btn ghost', id: 'show-all-functions',
						      onclick: () => { showAllFns = true; drawFunctions(); }},
						`Show all ${shownFunctions(c).length} listed functions`))) : null,
				unmovedToggle(c)),
			o && o.count ? el('tfoot', {}, el('tr', {class: 'other'},
				el('th', {scope: 'row'}, `${fmtInt(o.count)} more functions`), el('td', {class: 'obj-col'}),
				el('td', {class: 'num bn'}, fmtInt(o.base)), el('td', {class: 'num bn'}, fmtInt(o.new)),
				el('td', {class: `num delta ${dirClass(o.delta)}`}, fmtSigned(o.delta)), el('td', {class: 'pct-col'}),
				el('td', {class: 'num muted share'}, ofDelta(o.share_pct)), el('td', {class: 'share cum'}), el('td'))) : null)),
		el('h2', {}, 'Objects'),
		tableWrap(el('table', {class: 'data', id: 'delta-objects'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Object'),
				el('th', {scope: 'col', class: 'num bn'}, 'Base'),
				el('th', {scope: 'col', class: 'num bn'}, 'New'),
				el('th', {scope: 'col', class: 'num'}, '\u0394'),
				el('th', {scope: 'col', class: 'num'}, '\u0394 %'),
				el('th', {scope: 'col', class: 'num'}, 'of \u0394'))),
			el('tbody', {}, d.objects.map(x => el('tr', {class: BigInt(x.delta) === 0n ? 'zero' : null},
				el('th', {scope: 'row', class: 'name'}, x.object),
				el('td', {class: 'num bn'}, fmtInt(x.base)),
				el('td', {class: 'num bn'}, fmtInt(x.new)),
				el('td', {class: `num ${dirClass(x.delta)}`}, fmtSigned(x.delta)),
				el('td', {class: `num ${dirClass(x.delta, x.delta_pct)}`},
					x.in === 'both' ? fmtPct(x.delta_pct) : el('span', {class: 'tag'}, `only in ${x.in}`)),
				el('td', {class: 'num muted'}, ofDelta(x.share_pct))))))));
}

// ---- the instruction mix -------------------------------------------------------

function drawMix() {
	const d = data, m = d.mix;
	const cb = {}, cn = {};
	for (const c of m.by_class) {
		cb[c.class] = c.base;
		cn[c.class] = c.new;
	}
	const tb = BigInt(d.base.instructions), tn = BigInt(d.new.instructions);
	const scale = tb > tn ? tb : tn;
	const fl = [['compressed', 'Compressed'], ['stack', 'Stack (spill / reload)'], ['vector', 'Vector']];
	const share = (n, t) => (Number(t) ? fmtShare(Number(n) / Number(t) * 100) : '');
	const strip = (label, cls, total) => el('div', {class: 'mix-row'},
		el('span', {class: 'mix-label'}, label),
		mixStrip(cls, scale, `${label} instruction mix`),
		el('span', {class: 'num mix-total'}, fmtInt(total)));
	const rows = m.by_class;
	fill(parts.mix,
		el('h2', {}, 'Instruction mix ', el('span', {class: 'hint'}, 'bars to scale: the longer run is the full width')),
		el('div', {class: 'mix-compare', id: 'mix-bars'},
			strip('base', cb, d.base.instructions),
			strip('new', cn, d.new.instructions)),
		el('div', {class: 'mix-grid two'},
			tableWrap(el('table', {class: 'data parts', id: 'mix-delta'},
				el('caption', {}, '\u0394 by class'),
				el('thead', {}, el('tr', {},
					el('th', {scope: 'col'}, 'Class'),
					el('th', {scope: 'col', class: 'num'}, 'Base'),
					el('th', {scope: 'col', class: 'num'}, 'New'),
					el('th', {scope: 'col', class: 'num'}, '\u0394'),
					el('th', {scope: 'col', class: 'num'}, 'of \u0394'))),
				el('tbody', {}, rows.map(c => el('tr', {class: BigInt(c.delta) === 0n ? 'zero' : null, dataset: {cls: c.class}},
					el('th', {scope: 'row', class: 'name'}, swatch(c.class), c.class),
					el('td', {class: 'num'}, fmtInt(c.base), el('span', {class: 'sub'}, share(c.base, tb))),
					el('td', {class: 'num'}, fmtInt(c.new), el('span', {class: 'sub'}, share(c.new, tn))),
					el('td', {class: `num ${dirClass(c.delta)}`}, fmtSigned(c.delta)),
					el('td', {class: 'num muted'}, ofDelta(c.share_pct))))),
				el('tfoot', {}, fl.map(([k, label]) => el('tr', {dataset: {flag: k}},
					el('th', {scope: 'row'}, label),
					el('td', {class: 'num'}, fmtInt(m.flags_base[k]), el('span', {class: 'sub'}, share(m.flags_base[k], tb))),
					el('td', {class: 'num'}, fmtInt(m.flags_new[k]), el('span', {class: 'sub'}, share(m.flags_new[k], tn))),
					el('td', {class: `num ${dirClass(BigInt(m.flags_new[k]) - BigInt(m.flags_base[k]))}`},
						fmtSigned(BigInt(m.flags_new[k]) - BigInt(m.flags_base[k]))),
					el('td')))))),
			tableWrap(el('table', {class: 'data parts', id: 'mix-mnemonics'},
				el('caption', {}, 'Mnemonics that moved most'),
				el('thead', {}, el('tr', {},
					el('th', {scope: 'col'}, 'Mnemonic'),
					el('th', {scope: 'col'}, 'Class'),
					el('th', {scope: 'col', class: 'num'}, 'Base'),
					el('th', {scope: 'col', class: 'num'}, 'New'),
					el('th', {scope: 'col', class: 'num'}, '\u0394'))),
				el('tbody', {}, m.mnemonics.slice(0, showAllMn ? undefined : SHOWN).map(x => el('tr', {},
					el('th', {scope: 'row', class: 'name'}, x.mnemonic),
					el('td', {class: 'muted cls-cell'}, swatch(x.class), x.class),
					el('td', {class: 'num'}, fmtInt(x.base)),
					el('td', {class: 'num'}, fmtInt(x.new)),
					el('td', {class: `num ${dirClass(x.delta)}`}, fmtSigned(x.delta)))),
					!showAllMn && m.mnemonics.length > SHOWN ? el('tr', {class: 'toggle'}, el('td', {colspan: '5'},
						el('button', {type: 'button', class: 'btn ghost', id: 'show-all-mnemonics',
							      onclick: () => { showAllMn = true; drawMix(); }}, `Show all ${m.mnemonics.length} mnemonics`))) : null)))));
}

// ---- the blocks of one function, side by side -------------------------------------

function drawBlocks() {
	const d = data, c = chosen();
	if (!c) {
		fill(parts.blocks);
		return;
	}
	const f = d.functions.find(x => sameFn(x, c));
	const bl = d.blocks;
	const side = (label, run, cmd, j) => el('div', {class: `side side-${label}`},
		el('h3', {}, label, ' ', el('span', {class: 'muted mono'}, run),
			j ? el('span', {class: 'hint'}, ` ${j.blocks.length} hottest blocks${!showAllBlocks && j.blocks.length > BLOCKS ? `, ${BLOCKS} shown` : ''}`) : null),
		cmd ? command(cmd, `objdump-${label}`) : null,
		j ? (j.blocks.length ? el('div', {class: 'blocks'}, j.blocks.slice(0, showAllBlocks ? undefined : BLOCKS).map(blockView),
			!showAllBlocks && j.blocks.length > BLOCKS ? el('button', {type: 'button', class: 'btn ghost more-blocks',
				onclick: () => { showAllBlocks = true; drawBlocks(); }}, `${j.blocks.length - BLOCKS} more blocks`) : null)
			: el('p', {class: 'empty'}, 'No blocks kept for this function.'))
			: el('p', {class: 'empty'}, `Not in the ${label} run.`));
	const options = d.functions.map(x => el('option', {value: JSON.stringify([x.name, x.object]), selected: sameFn(x, c)},
		`${x.name} (${x.object}) ${fmtSigned(x.delta)}`));
	if (!f && c.explicit)
		options.unshift(el('option', {value: JSON.stringify([c.name, c.object]), selected: true}, c.name));
	const pick = el('select', {id: 'function-pick', 'aria-label': 'Function whose blocks are shown'}, options);
	pick.addEventListener('change', () => {
		const [name, object] = JSON.parse(pick.value);
		choose(name, object);
	});
	fill(parts.blocks,
		el('h2', {id: 'blocks-heading'}, 'Hot blocks of ', el('span', {class: 'mono', id: 'blocks-fn'}, c.name), ', side by side ',
			f ? el('span', {class: 'hint'}, `${fmtInt(f.base)} \u2192 ${fmtInt(f.new)} (${fmtSigned(f.delta)}), code `, codeFlag(f)) : null),
		el('div', {class: 'controls'}, el('label', {for: 'function-pick'}, 'Function ', pick), byLegend()),
		bl && bl.function === c.name
			? el('div', {class: 'side-by-side', id: 'side-by-side'},
				side('base', base, f && f.objdump_base, bl.base),
				side('new', nu, f && f.objdump_new, bl.new))
			: el('p', {class: 'loading'}, 'Loading the blocks\u2026'));
}

function drawReproduce() {
	fill(parts.reproduce,
		el('h2', {}, 'Reproduce ', el('span', {class: 'hint'}, 'the QEMU command shape that recorded these counts (per run directory)')),
		command(data.reproduce, 'reproduce-line'));
}

function drawActions() {
	const c = chosen();
	const q = c && c.explicit ? {function: c.name, object: state().get('object')} : {};
	const copy = el('button', {type: 'button', class: 'btn', id: 'copy-permalink'}, 'Copy permalink');
	copy.addEventListener('click', async () => {
		try {
			await navigator.clipboard.writeText(location.href);
			copy.textContent = 'Copied';
		} catch (e) {
			window.prompt('Permalink', location.href);
		}
		setTimeout(() => { copy.textContent = 'Copy permalink'; }, 1500);
	});
	fill(parts.actions,
		el('a', {class: 'btn', href: href(`/compare/${enc(base)}...${enc(nu)}`, {bench}), id: 'all-benchmarks'}, '\u2190 All benchmarks'),
		el('a', {class: 'btn', id: 'swap', href: pagePath(nu, base, q), title: 'Compare the other way round'}, '\u21c4 Swap'),
		copy,
		el('a', {class: 'btn ghost', id: 'history-link', href: href(`/history/${enc(bench)}`, series ? {series} : {})}, 'History'),
		el('span', {class: 'exports'}, 'Export ',
			el('a', {href: apiPath({limit: String(FUNCTIONS), function: c ? c.name : null, object: c && c.explicit ? state().get('object') : null})}, 'JSON'),
			el('a', {href: apiPath({format: 'text', limit: '0'})}, 'Text (all functions)')));
}

function drawAll() {
	drawActions();
	drawSummary();
	drawWaterfall();
	drawFunctions();
	drawMix();
	drawReproduce();
	drawBlocks();
}

async function load() {
	const c = state().get('function');
	const j = await api(apiPath({limit: String(FUNCTIONS), function: c, object: c ? state().get('object') : null}),
			    msg => fill(parts.summary, el('p', {class: 'loading'}, msg + '\u2026')));
	if (!c) {
		// the default function: fetch its blocks too
		data = j;
		const d = chosen();
		if (d) {
			const k = await api(apiPath({limit: String(FUNCTIONS), function: d.name, object: objectNeeded(d) ? d.object : null}));
			j.blocks = k.blocks;
		}
	}
	data = j;
}

async function choose(name, object) {
	const f = data.functions.filter(g => g.name === name);
	setState({function: name, object: f.length > 1 ? object : null});
	data.blocks = null;
	drawActions();
	drawWaterfall();
	drawFunctions();
	drawBlocks();
	parts.blocks.scrollIntoView({block: 'start'});
	try {
		await load();
	} catch (err) {
		fill(parts.blocks, errorBox(err));
		return;
	}
	drawBlocks();
}

export function redraw() {
	if (data)
		drawAll();
}

// The in-page contents bar.
function contents() {
	const links = [['delta-waterfall', 'Waterfall'], ['delta-functions', 'Functions'], ['delta-mix', 'Mix'],
		['delta-reproduce', 'Reproduce'], ['delta-blocks', 'Blocks']];
	return el('nav', {class: 'contents', 'aria-label': 'On this page'},
		links.map(([id, label]) => el('a', {href: `#${id}`}, label)));
}

// Which runs have the benchmark: "both", "base", "new", or null (neither).
async function sides() {
	const cmp = await api(`/api/v1/compare/${enc(base)}...${enc(nu)}`).catch(() => null);
	const row = cmp && cmp.benchmarks.find(b => b.name === bench);
	return row ? row.in : null;
}

// A benchmark in one run only: show the side that exists.
async function drawOneSided(app, side) {
	const row = {in: side};
	const run = row.in === 'base' ? base : nu;
	const b = await api(href(`/api/v1/runs/${enc(run)}/benchmarks/${enc(bench)}`, {limit: String(SHOWN)}));
	setHeading(`${bench}: only in ${row.in}`, [`${bench} is in the ${row.in} run `,
		el('a', {href: `/runs/${enc(run)}/${enc(bench)}`}, run), ` only: there is no delta to explain.`]);
	fill(app,
		el('div', {class: 'notice warn', role: 'note', id: 'one-sided'},
			el('strong', {}, `Only in ${row.in}: `),
			`${bench} is not in the ${row.in === 'base' ? 'new' : 'base'} run (${row.in === 'base' ? nu : base}).`),
		el('section', {class: 'summary'},
			card(`Only in ${row.in}`, fmtInt(b.instructions), '', el('a', {href: `/runs/${enc(run)}/${enc(bench)}`}, run), 'one-sided-total')),
		el('h2', {}, 'Hottest functions ', el('span', {class: 'hint'}, `in ${run}`)),
		tableWrap(el('table', {class: 'data', id: 'one-sided-functions'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Function'),
				el('th', {scope: 'col', class: 'obj-col'}, 'Object'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'))),
			el('tbody', {}, (b.functions || []).map(f => el('tr', {},
				el('th', {scope: 'row', class: 'name'}, f.name),
				el('td', {class: 'muted obj-col'}, f.object),
				el('td', {class: 'num'}, fmtInt(f.instructions))))))),
		el('p', {}, el('a', {href: `/runs/${enc(run)}/${enc(bench)}`}, `${bench} in ${run}: mix, blocks, invocations \u2192`)));
}

export async function render(app) {
	const segs = location.pathname.split('/').slice(2).map(decodeURIComponent);
	const spec = segs[0] || '';
	[base, nu] = [spec.split('...')[0], spec.split('...').slice(1).join('...')];
	bench = segs[1] || '';
	setCrumbs([['Runs', '/'], [`${base} \u2192 ${nu}`, href(`/compare/${enc(base)}...${enc(nu)}`, {bench})], [bench]]);
	for (const k of ['actions', 'summary', 'warnings', 'waterfall', 'functions', 'mix', 'reproduce', 'blocks'])
		parts[k] = el('section', {id: `delta-${k}`, class: k === 'summary' ? 'summary' : `delta-${k}`});
	fill(app, parts.actions, contents(), Object.values(parts).slice(1));
	fill(parts.summary, el('p', {class: 'loading'}, 'Loading where the delta comes from\u2026'));
	// the history of the new run's series, as the compare view links it
	const newRun = api(`/api/v1/runs/${enc(nu)}`).catch(() => null);
	const chartJs = loadChart();
	const side = await sides();
	if (side === 'base' || side === 'new') {
		await drawOneSided(app, side);
		return;
	}
	await load();
	await chartJs;
	series = ((await newRun) || {}).series || null;
	setHeading(`${bench}: ${data.base.run} \u2192 ${data.new.run}`, [
		data.suite ? `${data.suite}. ` : '', 'Base ', el('a', {href: `/runs/${enc(base)}/${enc(bench)}`}, base), ', new ',
		el('a', {href: `/runs/${enc(nu)}/${enc(bench)}`}, nu),
		'. Exact dynamic instruction counts; fewer is better.']);
	drawAll();
}
