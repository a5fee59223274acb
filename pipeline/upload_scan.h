/*
 * upload_scan: which files each node's dependency archive holds, by the
 * rules of Elyra 4.0.0's create_temp_archive(); upload_archives()
 * (upload.h) builds and uploads the archives by them, and the validation
 * (validate.c) judges each node's dependencies by them.
 *
 * Elyra's rules (elyra/util/archive.py), which upload_scan() follows: the
 * archive is rooted at the node file's directory and holds the file and the
 * dependency patterns, matched with Python's fnmatch against the path below
 * that directory ('*' also matches '/'). Without include_subdirectories a
 * directory is entered only when a pattern names something in it
 * ("utils/helper.py", or "*.csv" under "data/") or matches it; a lone
 * "*" takes the top-level files only. With it every directory is entered, and a pattern
 * without a '/' ("*.csv") also matches base names below. Hidden directories
 * never go in; symlinks are dereferenced, but only those whose target
 * (realpath) stays inside the pipeline's directory: a link leading out of
 * it ("shadow -> /etc/shadow", "certs -> /etc/ssl") is refused, since it
 * would put the compiling machine's files in the bucket.
 */
#ifndef T3Q_PIPELINE_UPLOAD_SCAN_H
#define T3Q_PIPELINE_UPLOAD_SCAN_H

#include "pipeline/pipeline.h"

/*
 * The members of node n's archive, in archive order, into *members; each
 * dependency that matched no file into *unmatched (Elyra's export fails on
 * those, except for a lone "*.py" or "*.r"); and each symlink the archive
 * would take that leads outside the pipeline's directory into *outside,
 * as two entries: its path below the node's directory, then its target;
 * and each directory the archive would enter though it is already in it
 * (a symlink loop, which Elyra's archive follows without end) into *loops,
 * as its path, then the directory's ("." for the node's own). The caller
 * releases all four with upload_list_release(). Returns 0, or -1 when the
 * node's directory cannot be read.
 */
int upload_scan(const struct pipeline *p, const struct node *n,
		struct strlist *members, struct strlist *unmatched,
		struct strlist *outside, struct strlist *loops);

/*
 * realpath(path) (malloc'd) when path is a symlink whose target leaves
 * p's directory, else NULL.
 */
char *upload_link_outside(const struct pipeline *p, const char *path);
void upload_list_release(struct strlist *l);

/* Python's fnmatch.fnmatchcase(name, pattern): 1 on a match. */
int upload_fnmatch(const char *pattern, const char *name);

/*
 * One node's archive walk, for upload_archives(): archive_create_filtered()
 * walks upload_walk_dir(w) and asks upload_walk_filter(name, is_dir, w)
 * about each entry, which is Elyra's tar_filter. upload_walk_end() logs
 * each symlink the walk left out because it leads outside the pipeline's
 * directory, releases w and returns 0, or -1 when there was one.
 */
struct upload_walk;
struct upload_walk *upload_walk_start(const struct pipeline *p,
				      const struct node *n);
const char *upload_walk_dir(const struct upload_walk *w);
int upload_walk_filter(const char *name, int is_dir, void *w);
int upload_walk_end(struct upload_walk *w);

#endif
