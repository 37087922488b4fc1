/* SPDX-License-Identifier: MIT */
/*
 * `tbscope reindex`: delete the index and let the catalog rebuild it from
 * the run directories, then exit.  It takes serve's options (config.h),
 * so the service's own command line works; those about HTTP are unused.
 */
#include <stdio.h>
#include <unistd.h>

#include "builtin.h"
#include "catalog.h"
#include "config.h"
#include "errbuf.h"
#include "strbuf.h"
#include "banned.h"

static const char reindex_usage[] =
	"usage: tbscope reindex [--data DIR] [--runs-dir DIR]... "
	"[--sysroot DIR]...\n"
	"\n"
	"Rebuild the index from the run directories: every run is analysed\n"
	"again.  Stop the server first, or run it against a copy.  It takes\n"
	"serve's options, so the service's command line works; those about\n"
	"HTTP have no effect.\n";

int cmd_reindex(int argc, char **argv)
{
	struct server_config cfg;
	struct catalog cat;
	struct strbuf path = STRBUF_INIT;
	struct errbuf err;
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	int rc;

	rc = parse_server_config(&cfg, argc, argv, reindex_usage);
	if (rc >= 0) {
		config_release(&cfg);
		return rc;
	}
	for (size_t i = 0; i < 3; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/index.sqlite%s", cfg.data_dir,
			    suffixes[i]);
		unlink(path.buf);
	}
	strbuf_release(&path);
	if (catalog_start(&cat, &cfg, &err) < 0) {
		fprintf(stderr, "tbscope reindex: %s\n", err.msg);
		config_release(&cfg);
		return 1;
	}
	catalog_wait_idle(&cat);
	catalog_stop(&cat);
	config_release(&cfg);
	return 0;
}
