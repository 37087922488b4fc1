// SPDX-License-Identifier: MIT
// /: draws GET /api/v1/runs (newest first), filtered by ?series=.  Pick a
// base and a new run to compare; the default is the newest ready run and
// the previous ready run of its series.  State: series, base, new, offset.
import {api, fill, el, enc, fmtInt, fmtTime, href, setCrumbs, setHeading, setState,
	state, tableWrap} from './lib.js';

const LIMIT = 100;
let all = null;  // every run (for the series list and "previous" links)
let page = null; // the runs shown

// The previous ready run of r's series in `list` (newest first).
function previous(list, r) {
	const i = list.findIndex(x => x.id === r.id);
	for (let j = i + 1; j < list.length; j++)
		if (list[j].status === 'ready' && list[j].series === r.series)
			return list[j];
	return null;
}

function metaSummary(meta) {
	if (!meta || typeof meta !== 'object')
		return '';
	const keys = ['commit', 'compiler', 'flags', 'machine'];
	const parts = keys.filter(k => meta[k] !== undefined && meta[k] !== null)
		.map(k => (k === 'commit' ? String(meta[k]).slice(0, 12) : String(meta[k])));
	return parts.join(' \u00b7 ');
}

function selection() {
	const q = state();
	const ready = page.runs.filter(r => r.status === 'ready');
	let nu = q.get('new') || (ready[0] && ready[0].id) || null;
	let base = q.get('base');
	if (!base && nu) {
		const r = all.runs.find(x => x.id === nu);
		const p = r ? previous(all.runs, r) : null;
		base = p ? p.id : null;
	}
	return {base, nu};
}

function draw(app) {
	const q = state();
	const series = q.get('series') || '';
	const sel = selection();
	const seriesNames = [...new Set(all.runs.map(r => r.series).filter(s => s !== null))].sort();

	const filter = el('select', {id: 'series-filter'},
		el('option', {value: ''}, 'all series'),
		seriesNames.map(s => el('option', {value: s, selected: s === series}, s)));
	filter.addEventListener('change', () => {
		setState({series: filter.value, offset: null, base: null, new: null});
		render(app);
	});

	const go = el('a', {class: 'btn primary', id: 'compare-go'}, 'Compare');
	const label = el('span', {class: 'pick'});
	const refresh = () => {
		const s = selection();
		label.replaceChildren(
			el('span', {class: 'mono'}, s.base || 'pick a base'), ' \u2192 ',
			el('span', {class: 'mono'}, s.nu || 'pick a new run'));
		if (s.base && s.nu) {
			go.setAttribute('href', `/compare/${enc(s.base)}...${enc(s.nu)}`);
			go.removeAttribute('aria-disabled');
		} else {
			go.removeAttribute('href');
			go.setAttribute('aria-disabled', 'true');
		}
	};
	const radio = (name, r, checked) => {
		const i = el('input', {type: 'radio', name, value: r.id, checked,
				       disabled: r.status !== 'ready',
				       'aria-label': `${name === 'base' ? 'Base' : 'New'}: ${r.id}`});
		i.addEventListener('change', () => {
			setState({[name === 'base' ? 'base' : 'new']: r.id});
			refresh();
		});
		return i;
	};

	const rows = page.runs.map(r => {
		const p = r.status === 'ready' ? previous(all.runs, r) : null;
		return el('tr', {dataset: {run: r.id}},
			el('td', {class: 'pick-cell pick-base'}, radio('base', r, r.id === sel.base)),
			el('td', {class: 'pick-cell pick-new'}, radio('new', r, r.id === sel.nu)),
			el('th', {scope: 'row', class: 'name'}, el('a', {href: `/runs/${enc(r.id)}`}, r.id)),
			el('td', {class: 'series', title: r.series}, r.series === null ? ''
				: el('a', {href: href('/', {series: r.series})}, r.series)),
			el('td', {class: 'time opt'}, fmtTime(r.created)),
			el('td', {class: 'meta opt', title: metaSummary(r.meta)}, metaSummary(r.meta)),
			el('td', {class: 'num opt'}, r.status === 'ready' ? fmtInt(r.benchmarks) : ''),
			el('td', {class: 'num insns'}, r.status === 'ready'
				? [r.lower_bound ? el('abbr', {class: 'lb', title: 'lower bound'}, '\u2265') : null, fmtInt(r.instructions)] : ''),
			el('td', {class: 'num opt'}, r.warnings ? el('a', {href: `/runs/${enc(r.id)}#warnings`, class: 'warn-count'}, fmtInt(r.warnings)) : '0'),
			el('td', {class: `status opt status-${r.status}`},
				r.status === 'ready' ? 'ready'
					: r.status === 'failed' ? el('span', {title: r.error || ''}, 'failed')
						: `${r.status} ${r.progress ? `${r.progress.done}/${r.progress.total}` : ''}`),
			el('td', {class: 'actions prev'}, p ? el('a', {href: `/compare/${enc(p.id)}...${enc(r.id)}`,
				title: `Compare with ${p.id}`}, 'vs previous') : ''));
	});

	const offset = Number(q.get('offset') || 0);
	const pager = el('p', {class: 'pager'},
		offset > 0 ? el('a', {href: href('/', {series, offset: offset - LIMIT > 0 ? offset - LIMIT : null})}, '\u2190 newer') : null,
		` runs ${page.total ? offset + 1 : 0}\u2013${offset + page.runs.length} of ${page.total} `,
		offset + LIMIT < page.total ? el('a', {href: href('/', {series, offset: offset + LIMIT})}, 'older \u2192') : null);

	fill(app, 
		el('div', {class: 'toolbar'},
			el('label', {for: 'series-filter'}, 'Series ', filter),
			el('div', {class: 'compare-pick'}, label, go)),
		el('p', {class: 'pick-legend'}, 'Left radio: base, right radio: new.'),
		page.runs.length ? tableWrap(el('table', {class: 'data', id: 'runs-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col', class: 'pick-cell'}, 'Base'),
				el('th', {scope: 'col', class: 'pick-cell'}, 'New'),
				el('th', {scope: 'col'}, 'Run'),
				el('th', {scope: 'col'}, 'Series'),
				el('th', {scope: 'col', class: 'opt'}, 'Created'),
				el('th', {scope: 'col', class: 'opt'}, 'Commit \u00b7 compiler'),
				el('th', {scope: 'col', class: 'num opt'}, 'Benchmarks'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col', class: 'num opt'}, 'Warnings'),
				el('th', {scope: 'col', class: 'opt'}, 'Status'),
				el('th', {scope: 'col'}, el('span', {class: 'sr-only'}, 'Actions')))),
			el('tbody', {}, rows)))
			: el('p', {class: 'empty'}, 'No runs yet. Upload one with tbscope upload, or start the server with --runs-dir.'),
		pager);
	refresh();
}

export async function render(app) {
	const q = state();
	const series = q.get('series') || '';
	const offset = Number(q.get('offset') || 0);
	setCrumbs([['Runs']]);
	[all, page] = await Promise.all([
		api('/api/v1/runs?limit=1000'),
		api(href('/api/v1/runs', {series, offset: offset || null, limit: String(LIMIT)})),
	]);
	setHeading(series ? `Runs of ${series}` : 'Runs',
		   `${fmtInt(page.total)} run${page.total === 1 ? '' : 's'}, newest first. Pick a base and a new run to compare.`);
	draw(app);
}
