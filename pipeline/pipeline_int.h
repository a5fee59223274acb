/*
 * pipeline_int: what the pipeline reader's files share; not for use
 * outside pipeline*.c. pipeline_load() (pipeline.c) runs their steps:
 *
 *   pipeline_diag.c   the text as JSON, with positioned diagnostics
 *   pipeline_read.c   the document: pipelines, nodes, links, parameters
 *   pipeline_props.c  a node's properties, pipeline defaults applied
 *   pipeline_graph.c  ids, the order, ancestors and inputs
 *   pipeline_names.c  task, display and log names
 */
#ifndef T3Q_PIPELINE_PIPELINE_INT_H
#define T3Q_PIPELINE_PIPELINE_INT_H

#include <stddef.h>

#include "base/strmap.h"
#include "pipeline/pipeline.h"

struct pipeline_index {
	struct strmap ids;	/* node id -> index in nodes[] */
	struct strmap params;	/* name -> first parameter of that name */
	struct strmap used;	/* every node's pipeline_parameters */
};

/*
 * v, an array of n elements of size bytes grown only by this, with room
 * for one more: p->nodes, p->params and p->diags grow by doubling.
 */
void *pipeline_grow(void *v, int n, size_t size);
/* Adds a copy of s unless l has it. */
void pipeline_strlist_add(struct strlist *l, const char *s);

/*
 * pipeline_diag.c: text parsed, with each number's spelling kept (in
 * valuestring) and strings that are not UTF-8 or hold a NUL refused, by
 * line and column. NULL, with the reasons in p->diags, when it cannot be
 * used.
 */
struct cJSON *pipeline_parse(struct pipeline *p, const char *text);

/*
 * pipeline_read.c: Elyra's structural checks on the document, then the
 * parameters and the primary pipeline's nodes, supernodes flattened.
 * Returns 0 or -1 (diagnostics in p).
 */
int pipeline_read(struct pipeline *p, const struct cJSON *root);

/* pipeline_props.c: a JSON value as Elyra reads it. */
char *pipeline_scalar(const struct cJSON *j);
/* obj's key, where "None" and "" are no value (NULL). */
char *pipeline_value_of(const struct cJSON *obj, const char *key);
/* n's properties from cp, with the pipeline's defaults applied. */
void pipeline_read_props(struct pipeline *p, struct node *n,
			 const struct cJSON *cp, const struct cJSON *defaults);
/* A custom node's source and parameters, as written. */
void pipeline_read_custom(struct node *n, const struct cJSON *app,
			  const struct cJSON *cp);

/*
 * pipeline_graph.c: refuses duplicate node ids, then orders the nodes,
 * parents first (a cycle is refused, by its labels). Returns 0 or -1.
 */
int pipeline_sort(struct pipeline *p);
/* Fills p->index->ids; then each node's ancestors and inputs. */
void pipeline_link(struct pipeline *p);

/* pipeline_names.c: task, display and log names of the sorted nodes. */
void pipeline_name_nodes(struct pipeline *p);

#endif
