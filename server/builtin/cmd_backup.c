/* SPDX-License-Identifier: MIT */
/*
 * `tbscope backup`: copy a data directory's user data -- what cannot be
 * rebuilt from the runs -- to a new directory: the triage store (a
 * consistent copy by SQLite's VACUUM INTO, safe while the server runs)
 * and the tokens file.  The run directories (DATA/runs) never change once
 * uploaded: copy them with any tool (rsync -a); index.sqlite is derived
 * and is not copied (`tbscope reindex` rebuilds it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "errbuf.h"
#include "fileio.h"
#include "parse_options.h"
#include "strbuf.h"
#include "triage.h"
#include "banned.h"

static const char backup_usage[] =
	"usage: tbscope backup [--data DIR] DEST\n"
	"\n"
	"Copy the user data of DIR (default ./tbscope-data) to the new\n"
	"directory DEST: the triage store (regression states, notes, links,\n"
	"history, series settings, queued notifications) and the tokens.\n"
	"Safe while the server runs.  To restore, stop the server and copy\n"
	"the files back into the data directory.  DIR/runs is immutable:\n"
	"back it up with rsync -a; the index is rebuilt from it.\n";

static int copy_file(const char *from, const char *to, struct errbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int fd, ret = -1;

	if (access(from, F_OK) < 0 && errno == ENOENT)
		return 0; /* no tokens yet */
	if (read_file(&sb, from, 64u << 20, err) < 0)
		goto out;
	fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write_in_full(fd, sb.buf, sb.len) < 0 || fsync(fd) < 0) {
		errbuf_set(err, "cannot write '%s': %s", to, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	ret = 0;
out:
	strbuf_release(&sb);
	return ret;
}

int cmd_backup(int argc, char **argv)
{
	const char *data = "tbscope-data", *dest;
	bool help = false;
	const struct option_spec opts[] = {
		OPT_STRING('d', "data", "DIR",
			   "the data directory (default ./tbscope-data)",
			   &data),
		OPT_HELP('h', &help),
		OPT_END(),
	};
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct triage *t = NULL;
	struct errbuf err;
	int first, ret = 1;

	first = parse_options(argc, argv, opts, &err);
	if (first < 0)
		return usage_error("backup", backup_usage, opts, &err);
	if (help) {
		usage_with_options(stdout, backup_usage, opts);
		return 0;
	}
	if (first + 1 != argc) {
		errbuf_set(&err, "expected one DEST directory");
		return usage_error("backup", backup_usage, opts, &err);
	}
	dest = argv[first];
	if (mkdir(dest, 0700) < 0) {
		fprintf(stderr, "tbscope backup: cannot create '%s': %s\n",
			dest, strerror(errno));
		return 1;
	}
	t = triage_open(data, &err);
	strbuf_addf(&b, "%s/%s", dest, TRIAGE_FILE);
	if (!t || triage_backup(t, b.buf, &err) < 0)
		goto fail;
	strbuf_addf(&a, "%s/tokens", data);
	strbuf_reset(&b);
	strbuf_addf(&b, "%s/tokens", dest);
	if (copy_file(a.buf, b.buf, &err) < 0)
		goto fail;
	printf("backed up %s/%s and %s/tokens to %s\n", data, TRIAGE_FILE, data,
	       dest);
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "tbscope backup: %s\n", err.msg);
out:
	triage_close(t);
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}
