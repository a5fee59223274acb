/*
 * items: the ';'-separated lists of --inputs and --outputs, as
 * bootstrapper.py reads them, and the check that keeps each path inside
 * the work dir.
 */
#ifndef T3Q_BOOTSTRAP_ITEMS_H
#define T3Q_BOOTSTRAP_ITEMS_H

/*
 * Calls fn(ctx, item) for each ';'-separated item, trimmed of blanks, of
 * leading "./" and of trailing '/', skipping empty ones. Every item is
 * visited; returns the first non-zero fn() result, or 0.
 */
int items_each(const char *list, int (*fn)(void *ctx, const char *item),
	       void *ctx);

/*
 * 0 when p is a relative path that stays in the work dir; otherwise -1
 * after logging why, with what ("input", "output") naming it.
 */
int items_path_ok(const char *what, const char *p);

#endif
