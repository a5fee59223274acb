/*
 * names: the one mapping from a node's file paths to Argo artifact names,
 * used by t3q-compile (to declare artifacts) and t3q-bootstrap (to find and
 * stage them), so the two always agree.
 */
#ifndef T3Q_PIPELINE_NAMES_H
#define T3Q_PIPELINE_NAMES_H

#include "base/buf.h"

/*
 * Appends the one spelling of a declared path that names() hashes: blanks
 * around it trimmed, "." and empty segments dropped ("./x" and "x", "m/"
 * and "m", "a//b" and "a/b" are one path). A leading '/' is kept; ".."
 * is kept (callers refuse it). Idempotent.
 */
void names_normalize(struct buf *out, const char *path);

/*
 * Appends the artifact name of a declared input/output path to out. Argo
 * wants names of [-a-zA-Z0-9_]. A path that is already such a name (and
 * not one KFP reserves) is kept; otherwise runs of other bytes become '-'
 * and an 8-hex-digit hash of the whole path is appended, so that "a.b" and
 * "a-b" never share a name: "data/x.csv" -> "data-x-csv-1f3c9a2b".
 * The path is normalised first (names_normalize), so every spelling of
 * one path gets one name, in the compiler and in the bootstrap alike.
 */
void names_artifact(struct buf *out, const char *path);

/*
 * The stem of a file: its base name up to the last '.' (not a leading
 * one), as the bootstrap names a log and Elyra's CLI a pipeline. Returns
 * a string the caller frees.
 */
char *names_stem(const char *path);

/*
 * The names of the nodes' logs (NAME.log, and a notebook's NAME.ipynb and
 * NAME.html), which the bootstrap writes side by side under the run's
 * prefix. files[i] is node i's file (NULL: none), ids[i] its id. Sets
 * out[i] to NULL where the node keeps Elyra's name, its file's stem, which
 * no other node's file has; else to a malloc'd --log-name that is neither
 * any node's stem nor any other name given here: "<stem>-<id>", and only
 * if even that is taken, "<stem>-<id>-2", "-3", ...
 */
void names_logs(char **out, char *const *files, char *const *ids, int n);

/*
 * Whether an env var of this name makes ld.so, a shell, Python or R run
 * someone's code (LD_*, BASH_ENV, ENV, PYTHONSTARTUP, PYTHONHOME,
 * R_PROFILE*, R_ENVIRON*): the bootstrap skips such run parameters, and
 * the compiler refuses them.
 */
int names_env_dangerous(const char *name);

#endif
