/* SPDX-License-Identifier: MIT */
/*
 * recording: whether two runs were recorded alike.  `tbscope record`
 * writes a "recording" object into the tbscope-run.json at the build root
 * (the QEMU version line, the plugin and the plugin options that change
 * counts, the sysroot, the host).  Two runs recorded with a different
 * QEMU, plugin or plugin options may differ in their counts for that
 * reason alone, so the compare views warn about it.  Runs without the
 * object (recorded some other way) are not judged.
 */
#ifndef ANALYSIS_RECORDING_H
#define ANALYSIS_RECORDING_H

#include <jansson.h>

struct strbuf;

/*
 * The comparison of two runs' metadata objects (either may be NULL):
 * {"base": recording or null, "new": recording or null, "differs":
 * [{"field", "base", "new"}...] for each of qemu, plugin and
 * plugin_options that differs when both runs have a recording, and
 * "warning": one sentence naming them, or null}.  A new reference.
 */
json_t *recording_compare(json_t *base_meta, json_t *new_meta);

/*
 * The same from metadata as JSON text (the index's meta_json; NULL or
 * unparsable: none).
 */
json_t *recording_compare_text(const char *base_meta, const char *new_meta);

/*
 * The metadata of the run directory root (root/tbscope-run.json), or
 * NULL when there is none or it is not a JSON object.
 */
json_t *recording_read_meta(const char *root);

/* The "warning" of a recording_compare() answer, or NULL. */
const char *recording_warning(json_t *cmp);

#endif
