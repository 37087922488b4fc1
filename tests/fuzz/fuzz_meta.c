/* SPDX-License-Identifier: MIT */
/*
 * tbscope-run.json on any bytes, read as the indexer reads it
 * (catalog_read_metadata()).  Oracles, from jansson read independently:
 * what is kept is a JSON object and the file's own object (same keys and
 * values); the series is the file's "series" when that is a string, else
 * none; a file that is not one JSON object leaves no metadata and the
 * directory's time.
 */
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "index.h"

static char dir[PATH_MAX], file[PATH_MAX];

static void cleanup(void)
{
	unlink(file);
	rmdir(dir);
}

static void setup(void)
{
	const char *shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(dir, sizeof(dir), "%s/tbscope-fuzz-meta-XXXXXX", shm);
	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/tbscope-run.json", dir);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct index_run r = {0};
	json_t *want, *got, *series;
	json_error_t jerr;
	struct stat st;
	FILE *f;

	if (!*dir)
		setup();
	f = fopen(file, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	if (stat(dir, &st))
		abort();
	catalog_read_metadata(dir, &r);
	want = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
			  &jerr);
	if (size >= 65536 || !json_is_object(want)) {
		if (r.meta_json || r.series || r.created != st.st_mtim.tv_sec)
			abort();
		goto out;
	}
	if (!r.meta_json)
		abort();
	got = json_loads(r.meta_json, 0, &jerr);
	if (!json_is_object(got) || !json_equal(got, want))
		abort();
	json_decref(got);
	series = json_object_get(want, "series");
	if (json_is_string(series)
		    ? !r.series || strcmp(r.series, json_string_value(series))
		    : r.series != NULL)
		abort();
out:
	json_decref(want);
	free(r.series);
	free(r.meta_json);
	return 0;
}
