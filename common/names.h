/*
 * names: the one mapping from a node's file paths to Argo artifact names,
 * used by t3q-compile (to declare artifacts) and t3q-bootstrap (to find and
 * stage them), so the two always agree.
 */
#ifndef T3Q_COMMON_NAMES_H
#define T3Q_COMMON_NAMES_H

#include "common/buf.h"

/*
 * Appends the artifact name of a declared input/output path to out. Argo
 * wants names of [-a-zA-Z0-9_]. A path that is already such a name (and
 * not one KFP reserves) is kept; otherwise runs of other bytes become '-'
 * and an 8-hex-digit hash of the whole path is appended, so that "a.b" and
 * "a-b" never share a name: "data/x.csv" -> "data-x-csv-1f3c9a2b".
 */
void names_artifact(struct buf *out, const char *path);

#endif
