// SPDX-License-Identifier: MIT
// Helpers shared by the pages: DOM building (text only, never HTML
// strings: run names and metadata are user input), number formatting,
// the JSON API, and view state kept in the URL query.

// el('td', {class: 'num'}, 'text', childNode, ...): attributes starting with
// "on" are listeners; null/undefined/false children are skipped.
export function el(tag, attrs, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k.startsWith('on'))
			e.addEventListener(k.slice(2), v);
		else if (k === 'dataset')
			Object.assign(e.dataset, v);
		else
			e.setAttribute(k, v === true ? '' : String(v));
	}
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		e.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return e;
}

const intFmt = new Intl.NumberFormat('en-US');

// Exact integers with thousands separators (Numbers or BigInts).
export function fmtInt(n) {
	if (n === null || n === undefined)
		return '\u2013';
	return intFmt.format(n);
}

export function fmtSigned(n) {
	if (n === null || n === undefined)
		return '\u2013';
	return (n > 0 ? '+' : '') + intFmt.format(n);
}

// -4.7529 -> "-4.75 %"; a tiny but real delta keeps two significant digits
// (counts are exact: 0.004 % is not noise and must not read as 0.00).
export function fmtPct(p) {
	if (p === null || p === undefined)
		return '\u2013';
	const a = Math.abs(p);
	const s = a !== 0 && a < 0.005 ? a.toPrecision(2) : a.toFixed(2);
	return (p > 0 ? '+' : p < 0 ? '-' : '') + s + ' %';
}

// A share (of a total, of a delta): two decimals; a share too small to
// show so reads "<0.01 %" (the exact integers stand beside it).
export function fmtShare(p) {
	if (p === null || p === undefined)
		return '';
	const a = Math.abs(p);
	if (a !== 0 && a < 0.005)
		return '<0.01 %'; // its sign is the delta's, beside it
	return p.toFixed(2) + ' %';
}

// "2026-11-29T14:55:16Z" -> "2026-11-29 14:55 UTC"
export function fmtTime(iso) {
	if (!iso)
		return '';
	return iso.replace('T', ' ').replace(/:\d\dZ$/, ' UTC');
}

// Direction class of a signed figure (a total, a geomean, a function's
// delta): fewer instructions is an improvement.  Whether a benchmark of a
// comparison regressed, improved or is unchanged at the threshold is the
// server's decision: changeClass(b.change).
export function dirClass(delta, pct) {
	if (delta === null || delta === undefined)
		return 'dir-none';
	const x = pct ?? delta;
	return x > 0 ? 'dir-bad' : x < 0 ? 'dir-good' : 'dir-same';
}

// Direction class of a compare row's "change", as the server decided it.
export function changeClass(change) {
	return {regressed: 'dir-bad', improved: 'dir-good', unchanged: 'dir-same'}[change] || 'dir-none';
}

// Integers beyond 2^53 stay exact (as BigInt) where the browser gives the
// reviver the source text.
function reviver(key, value, ctx) {
	if (typeof value === 'number' && !Number.isSafeInteger(value) &&
	    ctx && typeof ctx.source === 'string' && /^-?\d+$/.test(ctx.source))
		return BigInt(ctx.source);
	return value;
}

export class ApiError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}

// GET a JSON API path; while a run is still being analysed (503) wait and
// ask again, telling `onWait` what the server said.
export async function api(path, onWait) {
	for (;;) {
		const r = await fetch(path, {headers: {Accept: 'application/json'}});
		const text = await r.text();
		let body = null;
		try {
			body = JSON.parse(text, reviver);
		} catch (e) {
			throw new ApiError(r.status, `${path}: not JSON (${r.status})`);
		}
		if (r.ok)
			return body;
		const msg = body && body.error ? body.error.message : r.statusText;
		if (r.status === 503) {
			if (onWait)
				onWait(msg);
			const wait = Number(r.headers.get('Retry-After')) || 2;
			await new Promise(res => setTimeout(res, wait * 1000));
			continue;
		}
		throw new ApiError(r.status, msg);
	}
}

// ---- view state in the URL query -----------------------------------------

export function state() {
	return new URLSearchParams(location.search);
}

// Merge `patch` into the query (null/''/false removes a key) and push a
// history entry, so Back undoes a user's choice (replace: true rewrites
// the current entry instead): every view stays a permalink.
export function setState(patch, {replace = false} = {}) {
	const q = state();
	for (const [k, v] of Object.entries(patch)) {
		if (v === null || v === undefined || v === '' || v === false)
			q.delete(k);
		else
			q.set(k, v === true ? '1' : String(v));
	}
	const s = q.toString();
	const u = location.pathname + (s ? '?' + s : '');
	if (u === location.pathname + location.search)
		return;
	if (replace)
		history.replaceState(null, '', u);
	else
		history.pushState(null, '', u);
}

// Chart.js, loaded on the pages that draw a chart (it is most of the
// script a page would otherwise load).
let chartLoading = null;
export function loadChart() {
	if (window.Chart)
		return Promise.resolve();
	if (!chartLoading)
		chartLoading = new Promise(resolve => {
			const s = document.createElement('script');
			s.src = new URL('chart.umd.js', import.meta.url).pathname;
			s.onload = resolve;
			s.onerror = resolve; // the pages draw their tables without it
			document.head.append(s);
		});
	return chartLoading;
}

// A link to `path` with the query `query` (empty values left out).
export function href(path, query) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(query || {}))
		if (v !== null && v !== undefined && v !== '')
			q.set(k, String(v));
	const s = q.toString();
	return path + (s ? '?' + s : '');
}

export function enc(s) {
	return encodeURIComponent(s);
}

// ---- page furniture --------------------------------------------------------

export function cssVar(name) {
	return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

// A Chart.js chart in the dashboard's style: sized by its box, drawn at
// once (no animation), no legend, axes in the theme's --fg and --grid
// (a scale may override either).  The caller gives the type, data, its
// own plugins, the tooltip's callbacks and the scales.  A click on a data
// point i for which clickable(i) holds calls onPick(i) once Chart.js has
// finished with the event (the redraw it may start destroys this chart);
// the cursor shows which points take a click.
export function makeChart(canvas, {type, data, plugins = [], indexAxis, tooltip = {}, scales = {},
				   clickable = () => true, onPick = null}) {
	const fg = cssVar('--fg'), grid = cssVar('--grid');
	const axes = Object.fromEntries(Object.entries(scales).map(([k, a]) =>
		[k, {...a, ticks: {color: fg, ...a.ticks}, grid: {color: grid, ...a.grid}}]));
	const takes = els => onPick && els.length && clickable(els[0].index);
	return new window.Chart(canvas, {
		type,
		data,
		plugins,
		options: {
			...(indexAxis ? {indexAxis} : {}),
			responsive: true,
			maintainAspectRatio: false,
			animation: false,
			plugins: {
				legend: {display: false},
				tooltip: {callbacks: tooltip},
			},
			scales: axes,
			onClick: (evt, els) => {
				if (takes(els)) {
					const i = els[0].index;
					setTimeout(() => onPick(i), 0);
				}
			},
			onHover: (evt, els) => {
				evt.native.target.style.cursor = takes(els) ? 'pointer' : 'default';
			},
		},
	});
}

export function setCrumbs(items) {
	const nav = document.getElementById('crumbs');
	nav.replaceChildren(...items.map(([label, link], i) => [
		i ? el('span', {class: 'sep', 'aria-hidden': 'true'}, '/') : null,
		link ? el('a', {href: link}, label) : el('span', {'aria-current': 'page'}, label),
	]).flat().filter(Boolean));
}

export function setHeading(text, lede) {
	document.getElementById('heading').textContent = text;
	const p = document.getElementById('lede');
	if (lede === undefined)
		return;
	p.replaceChildren(...[lede].flat().map(x => x instanceof Node ? x : document.createTextNode(x)));
}

export function errorBox(err) {
	return el('div', {class: 'notice error', role: 'alert'},
		el('strong', {}, err.status ? `Error ${err.status}: ` : 'Error: '),
		err.message);
}

// A table wrapped so it scrolls sideways on a phone.
// A table in its scrolling box.  A table that collapses to two lines a
// row on a phone (class "collapse") hides its header there, so each body
// cell gets its column's heading as data-label, which the collapsed row
// shows before the figure (app.css); a heading only for screen readers
// (.sr-only) gives none.
export function tableWrap(table) {
	if (table.classList.contains('collapse')) {
		const heads = [...table.querySelectorAll('thead tr:first-child th')].map(th =>
			(th.querySelector('.sr-only') ? '' : th.textContent.trim()));
		for (const tr of table.querySelectorAll('tbody tr'))
			[...tr.children].forEach((c, i) => {
				if (c.tagName === 'TD' && heads[i] && !c.dataset.label)
					c.dataset.label = heads[i];
			});
	}
	return el('div', {class: 'table-wrap'}, table);
}

// A sortable header cell: a button that toggles `key` / `-key`; a numeric
// column (cls has "num") sorts descending on the first click.
export function sortHeader(label, key, current, onSort, cls) {
	const active = current === key || current === '-' + key;
	const desc = current === '-' + key;
	const numeric = /\bnum\b/.test(cls || '');
	const next = active ? (desc ? key : '-' + key) : (numeric ? '-' + key : key);
	return el('th', {class: cls, scope: 'col',
			 'aria-sort': active ? (desc ? 'descending' : 'ascending') : null},
		el('button', {type: 'button', class: 'sort', dataset: {key},
			      onclick: () => onSort(next)},
			label, el('span', {class: 'arrow', 'aria-hidden': 'true'},
				  active ? (desc ? '\u25be' : '\u25b4') : '')));
}

export function compareRows(a, b) {
	if (a === b)
		return 0;
	if (a === null || a === undefined)
		return 1;
	if (b === null || b === undefined)
		return -1;
	if (typeof a === 'string' || typeof b === 'string')
		return String(a).localeCompare(String(b));
	return Number(a) < Number(b) ? -1 : 1;
}

// Sort a copy of `rows` by "key" or "-key", `get(row, key)` giving values;
// missing values always last.
export function sortBy(rows, sort, get) {
	const desc = sort.startsWith('-');
	const key = desc ? sort.slice(1) : sort;
	return rows.slice().sort((x, y) => {
		const a = get(x, key), b = get(y, key);
		if (a === null || a === undefined || b === null || b === undefined)
			return compareRows(a, b);
		const c = compareRows(a, b);
		return desc ? -c : c;
	});
}

// replaceChildren, skipping null/false (for optional sections).
export function fill(node, ...children) {
	node.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false)
		.map(c => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

// ---- links to regressions (/regressions/<id>) ------------------------------

// The regressions recorded by the server for a query, fetched once per
// query and page view; a server without them (or an error) gives none.
const regressionLists = new Map();
function regressionsFor(query) {
	const key = new URLSearchParams(query).toString();
	if (!regressionLists.has(key))
		regressionLists.set(key, api(`/api/v1/regressions?${key}`)
			.then(j => (j && j.regressions) || [], () => []));
	return regressionLists.get(key);
}

// The regression the run pair base -> nu opened (the first, if several),
// or null: the same question, asked once, as regressionLinks() below.
export function regressionOf(base, nu) {
	if (!base || !nu)
		return Promise.resolve(null);
	return regressionsFor({base, new: nu, kind: 'regression', stale: '1'})
		.then(list => list.find(r => r.base === base && r.new === nu) || null);
}

// An element that, once the server answers, links to each regression of
// the run pair base -> nu ("regression #12, new").  With a series, one
// question for the whole series serves every pair of it (the runs list).
export function regressionLinks(base, nu, series = null) {
	const span = el('span', {class: 'reg-links'});
	if (!base || !nu)
		return span;
	const query = series ? {series, kind: 'regression', limit: '10000'}
		: {base, new: nu, kind: 'regression', stale: '1'};
	regressionsFor(query).then(list => {
		const mine = list.filter(r => r.base === base && r.new === nu);
		fill(span, ...mine.map(r => el('a', {href: `/regressions/${enc(String(r.id))}`,
			class: `reg-link state-${r.state || 'none'}`,
			title: `the regression this pair opened, ${r.state}`},
		`regression #${r.id}`, el('span', {class: 'reg-state'}, ` ${r.state}`))));
	});
	return span;
}
