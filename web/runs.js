// SPDX-License-Identifier: MIT
// /: draws GET /api/v1/changes (the runs, newest first, each with its
// change against the previous run of its series) filtered by ?series=,
// and above it GET /api/v1/series: the latest change of each series.
// Pick a base and a new run to compare; the default is the newest run
// that has a previous run ("previous" is the server's
// index_previous_run(): same series, ready, older).  State: series, base,
// new, offset.
import {api, changeClass, dirClass, fill, el, enc, fmtInt, fmtPct, fmtTime, href, regressionLinks, setCrumbs,
	setHeading, setState, state, tableWrap} from './lib.js';

const LIMIT = 100;
let series = null; // GET /api/v1/series
let page = null;   // GET /api/v1/changes: the runs shown

function metaSummary(meta) {
	if (!meta || typeof meta !== 'object')
		return '';
	const keys = ['commit', 'compiler', 'flags', 'machine'];
	const parts = keys.filter(k => meta[k] !== undefined && meta[k] !== null)
		.map(k => (k === 'commit' ? String(meta[k]).slice(0, 12) : String(meta[k])));
	return parts.join(' \u00b7 ');
}

function compareHref(base, nu, bench) {
	return href(`/compare/${enc(base)}...${enc(nu)}`, {bench});
}

// The default pair: the newest run of the page that has a previous run.
function selection() {
	const q = state();
	let nu = q.get('new'), base = q.get('base');
	if (!nu && !base) {
		const r = page.runs.find(x => x.status === 'ready' && x.previous);
		return r ? {base: r.previous, nu: r.id} : {base: null, nu: null};
	}
	if (nu && !base) {
		const r = page.runs.find(x => x.id === nu);
		base = r ? r.previous : null;
	}
	return {base, nu};
}

// The regression a run opened against its previous run, if any.
export function runExtras(r) {
	return r.series === null ? null : regressionLinks(r.previous, r.id, r.series);
}

// A time on two lines at most: its date, then its hour ("10:00 UTC").
function timeParts(iso) {
	const t = fmtTime(iso), i = t.indexOf(' ');
	return i < 0 ? t : [el('span', {class: 'nowrap'}, t.slice(0, i)), ' ', el('span', {class: 'nowrap'}, t.slice(i + 1))];
}

// "−4.75 % · 2 regressed, 4 improved · worst 612.matmul_r +24.60 %"
function changeCell(r) {
	const c = r.vs_previous;
	if (!r.previous)
		return el('td', {class: 'change none'}, r.status === 'ready'
			? el('span', {class: 'muted'}, r.series === null ? 'no series' : 'first of its series') : '');
	if (!c)
		return el('td', {class: 'change none'}, el('span', {class: 'muted'}, 'not comparable yet'));
	const ch = c.changes;
	const worst = c.worst || c.best;
	const link = compareHref(r.previous, r.id);
	return el('td', {class: 'change', dataset: {regressed: String(ch.regressed), improved: String(ch.improved)}},
		el('a', {href: link, class: `geo ${dirClass(c.geomean_pct, c.geomean_pct)}`,
			 title: `geomean vs ${r.previous}`}, c.geomean_pct === null ? 'n/a' : fmtPct(c.geomean_pct)),
		el('span', {class: 'counts'},
			ch.regressed ? el('span', {class: 'dir-bad'}, `${ch.regressed}\u2191`) : null,
			ch.improved ? el('span', {class: 'dir-good'}, `${ch.improved}\u2193`) : null,
			!ch.regressed && !ch.improved ? el('span', {class: 'dir-same'}, 'no change') : null),
		worst ? el('a', {href: compareHref(r.previous, r.id, worst.name), class: `worst ${changeClass(worst.change)}`,
				 title: c.worst ? 'the worst regression' : 'the largest improvement'},
			el('span', {class: 'mono'}, worst.name), ' ', fmtPct(worst.delta_pct)) : null,
		runExtras(r));
}

function latestPanel() {
	const list = (series ? series.series : []).filter(s => s.latest_change);
	if (!list.length)
		return null;
	const q = state().get('series');
	const shown = q ? list.filter(s => s.name === q) : list;
	if (!shown.length)
		return null;
	return el('section', {class: 'latest', id: 'latest-changes', 'aria-labelledby': 'latest-h'},
		el('h2', {id: 'latest-h'}, 'Latest changes ', el('span', {class: 'hint'}, 'the newest run of each series against the one before')),
		el('div', {class: 'latest-grid'}, shown.map(s => {
			const c = s.latest_change;
			return el('article', {class: 'latest-card', dataset: {series: s.name}},
				el('header', {},
					el('a', {href: href('/', {series: s.name}), class: 'series-name'}, s.name),
					el('a', {href: href('/history', {series: s.name}), class: 'hint'}, 'history')),
				el('p', {class: 'latest-pair'},
					el('a', {href: compareHref(c.base, c.new), class: 'mono'}, `${c.base} \u2192 ${c.new}`)),
				el('p', {class: `latest-geo ${dirClass(c.geomean_pct, c.geomean_pct)}`},
					c.geomean_pct === null ? 'n/a' : fmtPct(c.geomean_pct), ' ',
					el('span', {class: 'hint'}, 'geomean')),
				el('p', {class: 'count-line'},
					el('span', {class: 'dir-bad'}, `${c.changes.regressed} regressed`),
					el('span', {class: 'dir-good'}, `${c.changes.improved} improved`),
					el('span', {class: 'dir-same'}, `${c.changes.unchanged} unchanged`)),
				c.top.length ? el('ul', {class: 'latest-top'}, c.top.map(t => el('li', {},
					el('a', {href: compareHref(c.base, c.new, t.name), class: 'mono'}, t.name), ' ',
					el('span', {class: changeClass(t.change)}, fmtPct(t.delta_pct))))) : null);
		})));
}

function draw(app) {
	const q = state();
	const current = q.get('series') || '';
	const sel = selection();
	const names = (series ? series.series : []).map(s => s.name).sort();

	const filter = el('select', {id: 'series-filter'},
		el('option', {value: ''}, 'all series'),
		names.map(s => el('option', {value: s, selected: s === current}, s)));
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
			const s = selection();
			// the pair shown becomes explicit, then the choice changes it
			setState({base: s.base, new: s.nu, [name === 'base' ? 'base' : 'new']: r.id});
			refresh();
		});
		return i;
	};

	const rows = page.runs.map(r => el('tr', {dataset: {run: r.id}},
		el('td', {class: 'pick-cell pick-base'}, radio('base', r, r.id === sel.base)),
		el('td', {class: 'pick-cell pick-new'}, radio('new', r, r.id === sel.nu)),
		el('th', {scope: 'row', class: 'name'}, el('a', {href: `/runs/${enc(r.id)}`}, r.id),
			el('span', {class: 'sub run-sub'}, r.series === null ? '' : r.series, ' ', fmtTime(r.created))),
		el('td', {class: 'series opt', title: r.series}, r.series === null ? '' : el('a', {href: href('/', {series: r.series})}, r.series)),
		el('td', {class: 'time opt'}, timeParts(r.created)),
		el('td', {class: 'meta opt', title: metaSummary(r.meta)}, metaSummary(r.meta)),
		changeCell(r),
		el('td', {class: 'num insns opt'}, r.status === 'ready'
			? [r.lower_bound ? el('abbr', {class: 'lb', title: 'lower bound'}, '\u2265') : null, fmtInt(r.instructions)] : ''),
		el('td', {class: `status opt status-${r.status}`},
			r.status === 'ready' ? 'ready'
				: r.status === 'failed' ? el('span', {title: r.error || ''}, 'failed')
					: `${r.status} ${r.progress ? `${r.progress.done}/${r.progress.total}` : ''}`,
			r.warnings ? el('a', {href: `/runs/${enc(r.id)}#warnings`, class: 'warn-count'},
				`${fmtInt(r.warnings)} warning${r.warnings === 1 ? '' : 's'}`) : null),
		el('td', {class: 'actions prev'}, r.previous && r.status === 'ready'
			? el('a', {href: compareHref(r.previous, r.id), title: `Compare with ${r.previous}`}, 'vs previous') : '')));

	const offset = Number(q.get('offset') || 0);
	const pager = el('p', {class: 'pager'},
		offset > 0 ? el('a', {href: href('/', {series: current, offset: offset - LIMIT > 0 ? offset - LIMIT : null})}, '\u2190 newer') : null,
		` runs ${page.total ? offset + 1 : 0}\u2013${offset + page.runs.length} of ${page.total} `,
		offset + LIMIT < page.total ? el('a', {href: href('/', {series: current, offset: offset + LIMIT})}, 'older \u2192') : null);

	fill(app,
		latestPanel(),
		el('div', {class: 'toolbar'},
			el('label', {for: 'series-filter'}, 'Series ', filter),
			current ? el('a', {href: href('/history', {series: current}), id: 'series-history-link'}, `${current} over time`) : null,
			el('div', {class: 'compare-pick'}, label, go)),
		el('p', {class: 'pick-legend'}, 'Left radio: base, right radio: new. \u201cChange\u201d is each run against the previous run of its series.'),
		page.runs.length ? tableWrap(el('table', {class: 'data', id: 'runs-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col', class: 'pick-cell'}, 'Base'),
				el('th', {scope: 'col', class: 'pick-cell'}, 'New'),
				el('th', {scope: 'col'}, 'Run'),
				el('th', {scope: 'col', class: 'opt'}, 'Series'),
				el('th', {scope: 'col', class: 'opt'}, 'Created'),
				el('th', {scope: 'col', class: 'opt'}, 'Commit \u00b7 compiler'),
				el('th', {scope: 'col'}, 'Change vs previous'),
				el('th', {scope: 'col', class: 'num opt'}, 'Instructions'),
				el('th', {scope: 'col', class: 'opt'}, 'Status'),
				el('th', {scope: 'col'}, el('span', {class: 'sr-only'}, 'Actions')))),
			el('tbody', {}, rows)))
			: el('p', {class: 'empty'}, 'No runs yet. Upload one with tbscope upload, or start the server with --runs-dir.'),
		pager);
	refresh();
}

export async function render(app) {
	const q = state();
	const current = q.get('series') || '';
	const offset = Number(q.get('offset') || 0);
	setCrumbs([['Runs']]);
	[series, page] = await Promise.all([
		api('/api/v1/series'),
		api(href('/api/v1/changes', {series: current, offset: offset || null, limit: String(LIMIT)})),
	]);
	setHeading(current ? `Runs of ${current}` : 'Runs',
		   `${fmtInt(page.total)} run${page.total === 1 ? '' : 's'}, newest first, each against the previous run of its series. Pick a base and a new run to compare.`);
	draw(app);
}
