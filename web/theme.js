// SPDX-License-Identifier: MIT
// Runs before the first paint (a classic script, not deferred), so a
// chosen theme never flashes: ?theme= in the URL wins, then the choice
// kept in localStorage, else the system's prefers-color-scheme (CSS).
(function () {
	var t = new URLSearchParams(location.search).get('theme');
	if (t !== 'light' && t !== 'dark') {
		try {
			t = localStorage.getItem('tbscope-theme');
		} catch (e) {
			t = null;
		}
	}
	if (t === 'light' || t === 'dark')
		document.documentElement.dataset.theme = t;
})();
