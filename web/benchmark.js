// SPDX-License-Identifier: MIT
// /runs/<id>/<bench>: draws GET /api/v1/runs/<id>/benchmarks/<bench>
// (?limit=n hottest functions): totals, the per-object split, the hottest
// functions and the invocations.  State: n (functions shown).
import {api, fill, el, enc, fmtInt, fmtShare, href, setCrumbs, setHeading, state,
	tableWrap} from './lib.js';

function shareBar(pct) {
	const bar = el('span', {class: 'share-bar', 'aria-hidden': 'true'}, el('span'));
	bar.firstChild.style.width = `${Math.max(0, Math.min(100, pct || 0))}%`;
	return el('td', {class: 'share'}, bar, el('span', {class: 'num-text'}, fmtShare(pct)));
}

function hex(n) {
	return '0x' + Number(n).toString(16);
}

function stat(label, value, sub) {
	return el('div', {class: 'card'}, el('div', {class: 'card-label'}, label),
		el('div', {class: 'card-value'}, value), sub ? el('div', {class: 'card-sub'}, sub) : null);
}

export async function render(app) {
	const [, , id, bench] = location.pathname.split('/').map(decodeURIComponent);
	const n = Math.max(1, Math.min(10000, Number.parseInt(state().get('n') || '50', 10) || 50));
	setCrumbs([['Runs', '/'], [id, `/runs/${enc(id)}`], [bench]]);
	const [b, run] = await Promise.all([
		api(href(`/api/v1/runs/${enc(id)}/benchmarks/${enc(bench)}`, {limit: String(n)})),
		api(`/api/v1/runs/${enc(id)}`).catch(() => null),
	]);
	const series = run ? run.series : null;
	setHeading(`${b.name} in ${id}`, [b.suite ? `${b.suite}, ` : '', `${b.dir}`]);
	const inv = b.invocation_files || [];
	const fns = b.functions || [];
	fill(app, 
		el('div', {class: 'toolbar'},
			el('a', {class: 'btn', href: href(`/history/${enc(b.name)}`, {series})}, 'History'),
			el('span', {class: 'exports'}, 'JSON ',
				el('a', {href: href(`/api/v1/runs/${enc(id)}/benchmarks/${enc(bench)}`, {limit: String(n)})}, 'benchmark'))),
		el('section', {class: 'summary'},
			stat('Instructions', [b.lower_bound ? '\u2265 ' : '', fmtInt(b.instructions)],
			     b.lower_bound ? 'lower bound: some invocation listed only its top blocks' : 'exact'),
			stat('Invocations', fmtInt(b.invocations)),
			stat('Blocks (rows)', fmtInt(b.rows)),
			stat('Malformed lines', fmtInt(b.malformed_lines)),
			stat('insns plugin', b.insns_plugin === null ? '\u2013' : fmtInt(b.insns_plugin),
			     b.insns_plugin === null ? 'not recorded'
				     : (BigInt(b.insns_plugin) === BigInt(b.instructions) ? 'matches' : 'differs'))),
		(b.warnings || []).length ? el('div', {class: 'notice warn'},
			el('strong', {}, 'Warnings'), el('ul', {}, b.warnings.map(w => el('li', {}, w)))) : null,
		el('h2', {}, 'Objects'),
		tableWrap(el('table', {class: 'data', id: 'objects-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'Object'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col'}, 'Share'),
				el('th', {scope: 'col'}, 'Symbols from'))),
			el('tbody', {}, (b.objects || []).map(o => el('tr', {},
				el('th', {scope: 'row', class: 'name', title: o.path || ''}, o.name),
				el('td', {class: 'num'}, fmtInt(o.instructions)),
				shareBar(o.share_pct),
				el('td', {class: o.symbols_missing ? 'muted' : ''}, o.symbols_missing || o.elf || '')))))),
		el('h2', {}, 'Hottest functions ',
			el('span', {class: 'hint'}, `${fns.length} of ${fmtInt(b.functions_total)}`)),
		tableWrap(el('table', {class: 'data', id: 'functions-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col'}, 'Share'),
				el('th', {scope: 'col'}, 'Function'),
				el('th', {scope: 'col'}, 'Object'),
				el('th', {scope: 'col', class: 'num'}, 'Blocks'),
				el('th', {scope: 'col', class: 'num'}, 'Address'),
				el('th', {scope: 'col', class: 'num'}, 'Size'))),
			el('tbody', {}, fns.map(f => el('tr', {},
				el('td', {class: 'num'}, fmtInt(f.instructions)),
				shareBar(f.share_pct),
				el('th', {scope: 'row', class: 'name mono'}, f.name),
				el('td', {}, f.object),
				el('td', {class: 'num'}, fmtInt(f.blocks)),
				el('td', {class: 'num mono'}, f.address ? hex(f.address) : ''),
				el('td', {class: 'num'}, f.size ? fmtInt(f.size) : '')))))),
		b.functions_total > fns.length
			? el('p', {class: 'pager'}, el('a', {href: href(location.pathname, {n: String(Math.min(10000, n * 4))})},
				`Show more functions (${fmtInt(b.functions_total - fns.length)} not shown)`)) : null,
		el('h2', {}, 'Invocations'),
		tableWrap(el('table', {class: 'data', id: 'invocations-table'},
			el('thead', {}, el('tr', {},
				el('th', {scope: 'col'}, 'hotblocks output'),
				el('th', {scope: 'col', class: 'num'}, 'Instructions'),
				el('th', {scope: 'col', class: 'num'}, 'Rows'),
				el('th', {scope: 'col', class: 'num'}, 'Collected'),
				el('th', {scope: 'col', class: 'num'}, 'Malformed'),
				el('th', {scope: 'col', class: 'num'}, 'insns plugin'))),
			el('tbody', {}, inv.map(f => el('tr', {},
				el('th', {scope: 'row', class: 'name mono'}, f.qemu_out.split('/').pop()),
				el('td', {class: 'num'}, f.lower_bound ? '\u2265 ' : '', fmtInt(f.instructions)),
				el('td', {class: 'num'}, fmtInt(f.rows)),
				el('td', {class: 'num'}, fmtInt(f.collected)),
				el('td', {class: `num ${f.malformed_lines ? 'dir-bad' : ''}`}, fmtInt(f.malformed_lines)),
				el('td', {class: 'num'}, f.insns_plugin === null ? '\u2013' : fmtInt(f.insns_plugin))))))));
}
