/*
 * catalog: finds the KFP component definition of each custom node, as
 * Elyra's component catalogs would.
 *
 * A custom node's op is "<catalog type>:<hash>" and its component_source
 * names the catalog type and the entry (component_ref). t3q reads three
 * catalog types itself, as Elyra 4.0.0's connectors do:
 *   local-file-catalog       component_ref.path (relative: to base_dir
 *                            if given, else to the pipeline's directory)
 *   local-directory-catalog  component_ref.base_dir + component_ref.path
 *   url-catalog              component_ref.url (http, https or file),
 *                            fetched with libcurl
 * Every other catalog (a Python connector such as
 * elyra-kfp-examples-catalog) is read from what the caller hands over:
 *   files  "<op>=FILE" pairs (--component), matched on the op exactly;
 *   dirs   directories (--components): a file whose path relative to the
 *          directory has the op's hash (sha256(path)[:12], Elyra's id for
 *          directory catalogs and the examples catalog) or equals the
 *          component_ref's single value.
 * Those come first, so they also override the three read here.
 */
#ifndef T3Q_COMPONENT_CATALOG_H
#define T3Q_COMPONENT_CATALOG_H

#include "component/component.h"
#include "pipeline/pipeline.h"

struct catalog {
	const char *const *dirs;	/* borrowed */
	int ndirs;
	const char *const *files;	/* "CATALOG:ID=FILE", borrowed */
	int nfiles;
};

/*
 * Resolves and parses every custom node's definition: defs[i] for
 * p->nodes[i], NULL for generic nodes (defs has p->nnodes entries, the
 * caller frees each with component_free). A definition that cannot be
 * found or read is an error diagnostic on the node naming the catalog and
 * the reference. Returns the number of errors added.
 */
int catalog_resolve(const struct catalog *cat, struct pipeline *p,
		    struct component **defs);

/* Whether "CATALOG:ID=FILE" is well formed (for option parsing). */
int catalog_file_arg_ok(const char *arg);

#endif
