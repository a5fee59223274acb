/*
 * pipeline_graph: the nodes as a graph. Node ids key it: they are checked
 * unique, the nodes are put in topological order (a cycle is refused by
 * the labels on it), and each node gets its ancestors, as a bit set, and
 * its inputs: every ancestor's outputs, as Elyra passes them all.
 */
#include "pipeline/pipeline_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/*
 * Node ids key everything after (links, archives, artifacts): two nodes
 * with one id would share an archive, the second replacing the first.
 * Fills ids with each node's index.
 */
static int unique_ids(struct pipeline *p, struct strmap *ids)
{
	int ret = 0;

	strmap_reserve(ids, p->nnodes);
	for (int i = 0; i < p->nnodes; i++) {
		int first;

		/* "" is no key: links cannot name it, nor --log-name use it. */
		if (!*p->nodes[i].id) {
			pipeline_diag(p, 1, &p->nodes[i], "id", "Node id is "
				      "empty: give the node a unique id (Elyra "
				      "writes a UUID).");
			ret = -1;
			continue;
		}
		first = strmap_add_index(ids, p->nodes[i].id, i);
		if (first == i)
			continue;
		pipeline_diag(p, 1, &p->nodes[i], "id", "Node id '%s' is "
			      "not unique: node '%s' has it too.",
			      p->nodes[i].id, p->nodes[first].label);
		ret = -1;
	}
	return ret;
}

/* The cycle from stack[from..sp-1] back to node j, by labels. */
static void report_cycle(struct pipeline *p, const int *stack, int sp, int j)
{
	struct buf cyc = BUF_INIT;
	int from = 0;

	while (stack[from] != j)
		from++;
	for (int s = from; s < sp; s++)
		buf_addf(&cyc, "'%s' -> ", p->nodes[stack[s]].label);
	buf_addf(&cyc, "'%s'", p->nodes[j].label);
	pipeline_diag(p, 1, &p->nodes[stack[sp - 1]], NULL, "The pipeline "
		      "contains a circular dependency between nodes: %s",
		      cyc.buf);
	buf_release(&cyc);
}

/* A depth-first walk's state: 0 new, 1 on the stack, 2 placed. */
struct walk {
	int *state, *stack, sp;
	struct node *sorted;
	int done;
};

/*
 * The next parent of the node on top of the stack to visit, or -1 when
 * all are placed; -2 on a cycle, each one met up to that parent reported.
 * Parents by id through the map: a scan per edge is quadratic.
 */
static int next_parent(struct pipeline *p, struct walk *w,
		       const struct strmap *ids)
{
	const struct node *nd = &p->nodes[w->stack[w->sp - 1]];
	int cycle = 0;

	for (int k = 0; k < nd->parents.n; k++) {
		int j = strmap_get_index(ids, nd->parents.v[k]);

		if (j < 0)
			continue;	/* unknown: validation says so */
		if (w->state[j] == 1) {
			report_cycle(p, w->stack, w->sp, j);
			cycle = 1;
		} else if (w->state[j] == 0) {
			return cycle ? -2 : j;
		}
	}
	return cycle ? -2 : -1;
}

/* Iterative DFS from start, parents placed before their children. */
static int visit(struct pipeline *p, struct walk *w, int start,
		 const struct strmap *ids)
{
	w->sp = 0;
	w->stack[w->sp++] = start;
	w->state[start] = 1;
	while (w->sp) {
		int cur = w->stack[w->sp - 1];
		int next = next_parent(p, w, ids);

		if (next == -2)
			return -1;
		if (next >= 0) {
			w->state[next] = 1;
			w->stack[w->sp++] = next;
		} else {
			w->state[cur] = 2;
			w->sorted[w->done++] = p->nodes[cur];
			w->sp--;
		}
	}
	return 0;
}

/* Orders the nodes so that parents come first. Returns 0, or -1. */
static int sort_nodes(struct pipeline *p, const struct strmap *ids)
{
	int n = p->nnodes, ret = 0;
	struct walk w = { xcalloc(n ? n : 1, sizeof(int)),
			  xcalloc(n ? n : 1, sizeof(int)), 0,
			  xcalloc(n ? n : 1, sizeof(struct node)), 0 };

	for (int start = 0; start < n && !ret; start++)
		if (!w.state[start])
			ret = visit(p, &w, start, ids);
	if (!ret)
		memcpy(p->nodes, w.sorted, (size_t)w.done * sizeof(*w.sorted));
	free(w.sorted);
	free(w.state);
	free(w.stack);
	return ret;
}

int pipeline_sort(struct pipeline *p)
{
	struct strmap ids = { 0 };
	int ret = unique_ids(p, &ids);

	if (!ret)
		ret = sort_nodes(p, &ids);
	strmap_release(&ids);
	return ret;
}

int pipeline_is_ancestor(const struct node *n, int a)
{
	return n->ancestors && (n->ancestors[a / 8] >> (a % 8)) & 1;
}

/*
 * The first ancestor of n at or after a, or end: whole zero bytes are
 * skipped, so a node with few ancestors costs little in a long pipeline.
 */
static int next_ancestor(const struct node *n, int a, int end)
{
	while (a < end) {
		unsigned char byte = n->ancestors[a / 8] >> (a % 8);

		if (!byte) {
			a = (a / 8 + 1) * 8;
			continue;
		}
		while (!(byte & 1)) {
			byte >>= 1;
			a++;
		}
		return a < end ? a : end;
	}
	return end;
}

/*
 * Ancestors as bit sets, in one pass over the topological order; then
 * each node's inputs are every ancestor's outputs (Elyra passes them all),
 * each with the last ancestor that writes it. Linear in what it produces,
 * so a 5000-node pipeline is no harder than it must be.
 */
/* Node i's ancestors: its parents' (placed before it), and its parents. */
static void node_ancestors(struct pipeline *p, int i, size_t bytes)
{
	struct node *n = &p->nodes[i];

	n->ancestors = xcalloc(bytes ? bytes : 1, 1);
	for (int k = 0; k < n->parents.n; k++) {
		int j = strmap_get_index(&p->index->ids, n->parents.v[k]);

		if (j < 0 || j >= i)
			continue;	/* unknown: validation says so */
		for (size_t b = 0; b < bytes; b++)
			n->ancestors[b] |= p->nodes[j].ancestors[b];
		n->ancestors[j / 8] |= 1 << (j % 8);
	}
}

/* Node i's inputs, each with the last ancestor (in order) that writes it. */
static void node_inputs(struct pipeline *p, int i)
{
	struct node *n = &p->nodes[i];
	struct strmap seen = { 0 };
	size_t total = 0;

	for (int a = next_ancestor(n, 0, i); a < i;
	     a = next_ancestor(n, a + 1, i))
		total += p->nodes[a].outputs.n;
	if (!total)
		return;
	strmap_reserve(&seen, total);
	n->input_from = xcalloc(total, sizeof(int));
	n->inputs.v = xcalloc(total, sizeof(char *));
	for (int a = next_ancestor(n, 0, i); a < i;
	     a = next_ancestor(n, a + 1, i)) {
		for (int k = 0; k < p->nodes[a].outputs.n; k++) {
			const char *o = p->nodes[a].outputs.v[k];
			int at = strmap_add_index(&seen, o, n->inputs.n);

			if (at == n->inputs.n)
				n->inputs.v[n->inputs.n++] = xstrdup(o);
			n->input_from[at] = a;
		}
	}
	/* The map's keys point into the ancestors' lists. */
	strmap_release(&seen);
}

/*
 * Ancestors as bit sets, in one pass over the topological order; then
 * each node's inputs are every ancestor's outputs (Elyra passes them all).
 * Linear in what it produces, so a 5000-node pipeline is no harder than
 * it must be.
 */
void pipeline_link(struct pipeline *p)
{
	size_t bytes = (p->nnodes + 7) / 8;

	strmap_reserve(&p->index->ids, p->nnodes);
	for (int i = 0; i < p->nnodes; i++)
		strmap_put_index(&p->index->ids, p->nodes[i].id, i);
	for (int i = 0; i < p->nnodes; i++) {
		node_ancestors(p, i, bytes);
		node_inputs(p, i);
	}
}

const struct node *pipeline_node(const struct pipeline *p, const char *id)
{
	int i;

	if (p->index) {
		i = strmap_get_index(&p->index->ids, id);
		return i < 0 ? NULL : &p->nodes[i];
	}
	for (i = 0; i < p->nnodes; i++)
		if (!strcmp(p->nodes[i].id, id))
			return &p->nodes[i];
	return NULL;
}
