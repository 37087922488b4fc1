// SPDX-License-Identifier: MIT
// /runs/<id>: draws GET /api/v1/runs/<id>: metadata, warnings, and the
// benchmarks with their per-object split.  State: sort.
import {api, fill, el, enc, fmtInt, fmtShare, fmtTime, href, setCrumbs, setHeading,
	setState, sortBy, sortHeader, state, tableWrap} from './lib.js';

let run = null;
let prev = null;
let app = null;

function objKey(b, o) {
	return o.name === b.name ? '(binary)' : o.name;
}

// Metadata keys as labels ("commit_date" -> "Commit date").
const LABELS = {url: 'URL', cc: 'CC', cflags: 'CFLAGS', qemu: 'QEMU'};
function metaLabel(k) {
	if (LABELS[k])
		return LABELS[k];
	const s = k.replace(/[_-]+/g, ' ');
	return s.charAt(0).toUpperCase() + s.slice(1);
}

// A value: dates as the page writes them, a commit linked to the run's
// commit_url (its url, or the server's --commit-url), links as links,
// anything else as text.
function metaValue(k, v, r) {
	if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z$/.test(v))
		return fmtTime(v.length === 17 ? v.replace('Z', ':00Z') : v);
	if (typeof v === 'string' && /^https?:\/\//.test(v) && k === 'url')
		return el('a', {href: v, rel: 'noopener noreferrer'}, v);
	if (k === 'commit' && typeof r.commit_url === 'string' && /^https?:\/\//.test(r.commit_url))
		return el('a', {href: r.commit_url, rel: 'noopener noreferrer', class: 'mono commit-link'}, String(v));
	return typeof v === 'string' ? v : JSON.stringify(v);
}

function metaList(r) {
	const items = [
		['Status', r.status + (r.error ? `: ${r.error}` : '')],
		['Series', r.series === null ? '\u2013' : el('a', {href: href('/', {series: r.series})}, r.series)],
		['Created', fmtTime(r.created)],
		['Instructions', [r.lower_bound ? '\u2265 ' : '', fmtInt(r.instructions)]],
	];
	if (r.meta && typeof r.meta === 'object')
		for (const [k, v] of Object.entries(r.meta))
			if (k !== 'series' && k !== 'timestamp')
				items.push([metaLabel(k), metaValue(k, v, r)]);
	return el('dl', {class: 'meta-list'}, items.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function draw() {
	const v = {sort: state().get('sort') || 'name'};
	const benches = Array.isArray(run.benchmarks) ? run.benchmarks : [];
	const weight = new Map();
	for (const b of benches)
		for (const o of b.objects || [])
			weight.set(objKey(b, o), (weight.get(objKey(b, o)) || 0) + Number(o.instructions));
	const cols = [...weight.keys()].sort((a, b) =>
		a === '(binary)' ? -1 : b === '(binary)' ? 1 : weight.get(b) - weight.get(a));
	const onSort = s => { setState({sort: s === 'name' ? null : s}); draw(); };
	const get = (b, k) => {
		if (k.startsWith('obj:')) {
			const o = (b.objects || []).find(x => objKey(b, x) === k.slice(4));
			return o ? o.instructions : null;
		}
		return {name: b.name, suite: b.suite, instructions: b.instructions,
			invocations: b.invocations, rows: b.rows, malformed: b.malformed_lines}[k];
	};
	const rows = sortBy(benches, v.sort, get).map(b => el('tr', {dataset: {bench: b.name}},
		el('th', {scope: 'row', class: 'name'}, el('a', {href: `/runs/${enc(run.id)}/${enc(b.name)}`}, b.name)),
		el('td', {class: 'suite opt'}, b.suite || ''),
		el('td', {class: 'num'}, b.lower_bound ? el('abbr', {class: 'lb', title: 'lower bound'}, '\u2265') : null, fmtInt(b.instructions)),
		cols.map(k => {
			const o = (b.objects || []).find(x => objKey(b, x) === k);
			return el('td', {class: 'num obj', title: o ? `${o.name}: ${fmtShare(o.share_pct)}` : null},
				o ? fmtInt(o.instructions) : '');
		}),
		el('td', {class: 'num opt'}, fmtInt(b.invocations)),
		el('td', {class: 'num opt'}, fmtInt(b.rows)),
		el('td', {class: `num opt ${b.malformed_lines ? 'dir-bad' : ''}`}, fmtInt(b.malformed_lines)),
		el('td', {class: 'actions'},
			el('a', {href: href(`/history/${enc(b.name)}`, {series: run.series})}, 'history'))));
	const warnings = run.warning_messages || [];
	fill(app, 
		el('div', {class: 'toolbar'},
			prev ? el('a', {class: 'btn', href: `/compare/${enc(prev.id)}...${enc(run.id)}`},
				  `Compare with previous (${prev.id})`) : null,
			el('a', {class: 'btn', href: href('/', {new: run.id, series: run.series})}, 'Compare with\u2026'),
			el('span', {class: 'exports'}, 'JSON ', el('a', {href: `/api/v1/runs/${enc(run.id)}`}, 'run'))),
		metaList(run),
		warnings.length ? el('section', {id: 'warnings', class: 'notice warn'},
			el('strong', {}, `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`),
			el('ul', {}, warnings.map(w => el('li', {}, w)))) : null,
		el('h2', {}, 'Benchmarks'),
		benches.length ? tableWrap(el('table', {class: 'data', id: 'run-table'},
			el('thead', {}, el('tr', {},
				sortHeader('Benchmark', 'name', v.sort, onSort),
				sortHeader('Suite', 'suite', v.sort, onSort, 'opt'),
				sortHeader('Instructions', 'instructions', v.sort, onSort, 'num'),
				cols.map(k => sortHeader(k, `obj:${k}`, v.sort, onSort, 'num obj')),
				sortHeader('Invocations', 'invocations', v.sort, onSort, 'num opt'),
				sortHeader('Rows', 'rows', v.sort, onSort, 'num opt'),
				sortHeader('Malformed', 'malformed', v.sort, onSort, 'num opt'),
				el('th', {scope: 'col'}, el('span', {class: 'sr-only'}, 'Links')))),
			el('tbody', {}, rows),
			el('tfoot', {}, el('tr', {class: 'total'},
				el('th', {scope: 'row'}, 'Total'), el('td', {class: 'opt'}),
				el('td', {class: 'num'}, fmtInt(run.instructions)),
				cols.map(() => el('td', {class: 'obj'})), el('td', {class: 'opt'}), el('td', {class: 'opt'}), el('td', {class: 'opt'}), el('td')))))
			: el('p', {class: 'empty'}, run.status === 'ready' ? 'No benchmarks in this run.' : `This run is ${run.status}.`));
}

export function redraw() {
	if (run)
		draw();
}

export async function render(root) {
	app = root;
	const id = decodeURIComponent(location.pathname.split('/')[2] || '');
	setCrumbs([['Runs', '/'], [id]]);
	run = await api(`/api/v1/runs/${enc(id)}`);
	setHeading(run.id, `${fmtInt(run.instructions)} instructions in ${Array.isArray(run.benchmarks) ? run.benchmarks.length : fmtInt(run.benchmarks)} benchmarks.`);
	if (run.status === 'ready') {
		const list = await api(href('/api/v1/runs', {series: run.series, limit: '1000'})).catch(() => null);
		if (list) {
			const i = list.runs.findIndex(x => x.id === run.id);
			prev = list.runs.slice(i + 1).find(x => x.status === 'ready' && x.series === run.series) || null;
		}
	}
	draw();
}
