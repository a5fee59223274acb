/*
 * emit: a cJSON document written as YAML that YAML 1.1 parsers (KFP's Go
 * yaml.v2, PyYAML) read back exactly: every string scalar double-quoted,
 * so that "yes", "1.10" or "0755" stay strings; block style; no folding.
 */
#ifndef T3Q_COMPILER_EMIT_H
#define T3Q_COMPILER_EMIT_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* Returns 0, or -1 after logging. */
int emit_yaml(FILE *out, const cJSON *doc);
/*
 * Several documents in one stream, "---" between them (KFP v2's IR and
 * its platform spec). The documents stay the caller's.
 */
int emit_yaml_docs(FILE *out, const cJSON *const *docs, int ndocs);

#endif
