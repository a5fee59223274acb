/*
 * archive: safe extraction and reproducible creation of tar.gz files, on
 * libarchive. archive.h has the rules; this file has the how.
 */
#include "archive/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fsutil.h"
#include "base/log.h"

#define CHUNK 65536

/*
 * Every path handed to libarchive is absolute (dest/member), so
 * ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS, which refuses absolute paths,
 * cannot be among the flags; absolute member names are refused by our own
 * first pass instead. No ARCHIVE_EXTRACT_OWNER: we may run as root in a
 * container and must not give files to whoever made the archive. No
 * ACLs, xattrs or file flags either.
 */
#define EXTRACT_FLAGS (ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | \
		       ARCHIVE_EXTRACT_SECURE_SYMLINKS | \
		       ARCHIVE_EXTRACT_SECURE_NODOTDOT)

static const char *ar_err(struct archive *a)
{
	const char *s = archive_error_string(a);

	return s ? s : "unknown error";
}

/*
 * pax headers carry names in UTF-8, which libarchive converts to the
 * locale's charset; in the "C" locale every non-ASCII name fails to
 * convert (and is kept, with a warning). Under C.UTF-8 the conversion is
 * the identity, and archive_create() writes plain UTF-8 names whatever the
 * caller's locale. uselocale() is per thread, so other threads see no
 * change. Without C.UTF-8 installed we carry on in the current locale.
 */
struct utf8_scope {
	locale_t loc;
	locale_t old;
};

static void utf8_enter(struct utf8_scope *s)
{
	s->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	s->old = s->loc ? uselocale(s->loc) : (locale_t)0;
}

static void utf8_leave(struct utf8_scope *s)
{
	if (!s->loc)
		return;
	uselocale(s->old);
	freelocale(s->loc);
}

/*
 * Puts raw without empty and "." segments and without a trailing '/' into
 * out (which may end up empty), or returns why it is refused.
 */
static const char *name_clean(const char *raw, struct buf *out)
{
	const char *p = raw;

	buf_reset(out);
	if (*p == '/')
		return "has an absolute path";
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "has '..' in its path";
		/* Found now rather than as ENAMETOOLONG half-way through. */
		if (n > NAME_MAX)
			return "has a path segment longer than NAME_MAX";
		if (!(n == 1 && p[0] == '.')) {
			if (out->len)
				buf_addch(out, '/');
			buf_add(out, p, n);
		}
		p += n;
		p += strspn(p, "/");
	}
	return NULL;
}

/* "/", "./", ".": the archive's own root (Python's tarfile, arcname=""). */
static int names_root(const char *raw)
{
	const char *p = raw;

	if (!*p)
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n > 1 || (n == 1 && *p != '.'))
			return 0;
		p += n;
		p += strspn(p, "/");
	}
	return 1;
}

/* ---- extraction ---- */

enum kind { K_ROOT, K_DIR, K_FILE, K_SYMLINK, K_HARDLINK };
#define KIND(k) (1u << (k))

struct member {
	char *raw;		/* the name as stored, for messages */
	char *name;		/* cleaned (name_clean); "" for K_ROOT */
	char *link;		/* symlink text as stored, or cleaned target */
	enum kind kind;
	size_t index;		/* in archive order */
};

struct extract {
	const char *archive;	/* as given, for messages */
	char *dest;		/* realpath(dest_dir), "" for "/" */
	int dest_fd;
	const struct archive_limits *lim;
	long long bytes;	/* the members' sizes, from the headers */
	long long written;	/* data bytes written in pass two */
	int failure;		/* an enum archive_failure once one is known */
	struct member *m;	/* in archive order */
	size_t nr, alloc;
	struct member **sorted;	/* by name, then archive order */
};

static int cancelled(struct extract *x)
{
	if (!x->lim->cancel || !x->lim->cancel())
		return 0;
	x->failure = ARCHIVE_E_CANCELLED;
	info("archive '%s': extraction stopped by a signal", x->archive);
	return 1;
}

static int no_space(int e)
{
	return e == ENOSPC || e == EDQUOT;
}

static void member_free(struct member *m)
{
	free(m->raw);
	free(m->name);
	free(m->link);
	memset(m, 0, sizeof(*m));
}

__attribute__((format(printf, 3, 4)))
static int reject(const struct extract *x, const char *member,
		  const char *fmt, ...)
{
	struct buf why = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&why, fmt, ap);
	va_end(ap);
	error("archive '%s': member '%s': %s; nothing was extracted",
	      x->archive, member ? member : "", why.buf);
	buf_release(&why);
	return -1;
}

/*
 * Fills m from e, or puts why e is refused into why and returns -1. Both
 * passes use it, so that the second can tell that it sees what the first
 * checked.
 */
static int member_parse(const struct extract *x, struct archive_entry *e,
			struct member *m, struct buf *why)
{
	const char *raw = archive_entry_pathname(e);
	const char *link = archive_entry_hardlink(e);
	const char *bad = NULL;
	struct buf clean = BUF_INIT;
	size_t room = PATH_MAX - strlen(x->dest) - 1;

	memset(m, 0, sizeof(*m));
	buf_reset(why);
	if (!raw) {
		buf_adds(why, "has no name");
		return -1;
	}
	if (link) {
		m->kind = K_HARDLINK;
	} else {
		switch (archive_entry_filetype(e)) {
		case AE_IFREG:
			m->kind = K_FILE;
			break;
		case AE_IFDIR:
			m->kind = names_root(raw) ? K_ROOT : K_DIR;
			break;
		case AE_IFLNK:
			m->kind = K_SYMLINK;
			break;
		case AE_IFCHR:
			bad = "is a character device";
			goto out;
		case AE_IFBLK:
			bad = "is a block device";
			goto out;
		case AE_IFIFO:
			bad = "is a FIFO";
			goto out;
		case AE_IFSOCK:
			bad = "is a socket";
			goto out;
		default:
			bad = "is of an unknown type";
			goto out;
		}
	}
	if (m->kind == K_ROOT) {
		m->raw = xstrdup(raw);
		m->name = xstrdup("");
		return 0;
	}
	if ((bad = name_clean(raw, &clean)))
		goto out;
	if (!clean.len) {
		bad = "has an empty name";
		goto out;
	}
	/* Longer paths make libarchive chdir(), which is process-wide. */
	if (clean.len >= room) {
		bad = "has a path too long to extract";
		goto out;
	}
	m->raw = xstrdup(raw);
	m->name = buf_detach(&clean, NULL);
	if (m->kind == K_SYMLINK) {
		link = archive_entry_symlink(e);
		if (!link || !*link)
			buf_adds(why, "is a symlink with an empty target");
		else if (*link == '/')
			buf_addf(why, "is a symlink to an absolute path ('%s')",
				 link);
		else if (strlen(link) >= PATH_MAX)
			buf_adds(why, "is a symlink with a target too long");
		else
			m->link = xstrdup(link);
	} else if (m->kind == K_HARDLINK) {
		if (*link == '/')
			buf_addf(why, "is a hard link to an absolute path "
				 "('%s')", link);
		else if ((bad = name_clean(link, &clean)))
			buf_addf(why, "is a hard link to '%s', which %s", link,
				 bad);
		else if (!clean.len || clean.len >= room)
			buf_addf(why, "is a hard link to '%s', an empty or "
				 "too long path", link);
		else
			m->link = buf_detach(&clean, NULL);
	}
	bad = NULL;
out:
	buf_release(&clean);
	if (bad)
		buf_adds(why, bad);
	if (why->len) {
		member_free(m);
		return -1;
	}
	return 0;
}

static int member_same(const struct member *a, const struct member *b)
{
	return a->kind == b->kind && !strcmp(a->raw, b->raw) &&
	       !a->link == !b->link && (!a->link || !strcmp(a->link, b->link));
}

static struct archive *reader_open(const char *archive_path, int fd)
{
	struct archive *a = archive_read_new();

	/*
	 * Named one by one rather than _all(): those run external programs
	 * (lrzip, lzop, ...) on the archive, and _format_all() includes
	 * mtree, whose "archives" name files to be read from our disk.
	 */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, CHUNK) != ARCHIVE_OK) {
		error("archive '%s': %s; nothing was extracted", archive_path,
		      ar_err(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Pass one: reads every header, and all data so that damage shows now. */
static int extract_scan(struct extract *x, struct archive *a)
{
	struct buf why = BUF_INIT;
	struct archive_entry *e;
	int r, ret = 0;

	for (;;) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			ret = error("archive '%s': %s; nothing was extracted",
				    x->archive, ar_err(a));
			break;
		}
		if (r == ARCHIVE_WARN)
			warn("archive '%s': member '%s': %s", x->archive,
			     archive_entry_pathname(e) ?
			     archive_entry_pathname(e) : "", ar_err(a));
		if (x->nr == x->alloc) {
			x->alloc = x->alloc ? 2 * x->alloc : 64;
			x->m = xrealloc(x->m, x->alloc * sizeof(*x->m));
		}
		if (member_parse(x, e, &x->m[x->nr], &why) < 0) {
			ret = reject(x, archive_entry_pathname(e), "%s",
				     why.buf);
			break;
		}
		x->m[x->nr].index = x->nr;
		x->nr++;
		if (archive_entry_size(e) > 0)
			x->bytes += archive_entry_size(e);
		/* From the headers, before any data is read or written. */
		if (x->lim->max_files && (long long)x->nr > x->lim->max_files) {
			ret = error("archive '%s' has more than %lld members, "
				    "the limit (%s); nothing was extracted",
				    x->archive, x->lim->max_files,
				    x->lim->hint);
			break;
		}
		if (x->lim->max_bytes && x->bytes > x->lim->max_bytes) {
			ret = error("archive '%s': member '%s': the members "
				    "so far hold %lld bytes, over the limit of "
				    "%lld bytes (%s); nothing was extracted",
				    x->archive, x->m[x->nr - 1].raw, x->bytes,
				    x->lim->max_bytes, x->lim->hint);
			break;
		}
		/* Read, not skipped: damage shows now, and TERM is heard. */
		for (;;) {
			const void *block;
			size_t size;
			la_int64_t off;

			if (cancelled(x)) {
				ret = -1;
				break;
			}
			r = archive_read_data_block(a, &block, &size, &off);
			if (r == ARCHIVE_EOF)
				break;
			if (r < ARCHIVE_WARN) {
				ret = error("archive '%s': %s; nothing was "
					    "extracted", x->archive, ar_err(a));
				break;
			}
		}
		if (ret)
			break;
	}
	buf_release(&why);
	return ret;
}

static int member_cmp(const void *a, const void *b)
{
	const struct member *p = *(const struct member *const *)a;
	const struct member *q = *(const struct member *const *)b;
	int c = strcmp(p->name, q->name);

	if (c)
		return c;
	return p->index < q->index ? -1 : p->index > q->index;
}

/* strcmp(s, the first len bytes of key) */
static int name_cmp(const char *s, const char *key, size_t len)
{
	int c = strncmp(s, key, len);

	return c ? c : s[len] != '\0';
}

/* Where in x->sorted the members named key[0..len) start (maybe none). */
static size_t lookup(const struct extract *x, const char *key, size_t len)
{
	size_t lo = 0, hi = x->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (name_cmp(x->sorted[mid]->name, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The KIND()s of the members named key[0..len), 0 if there are none. */
static unsigned kinds_of(const struct extract *x, const char *key, size_t len)
{
	unsigned k = 0;

	for (size_t i = lookup(x, key, len);
	     i < x->nr && !name_cmp(x->sorted[i]->name, key, len); i++)
		k |= KIND(x->sorted[i]->kind);
	return k;
}

/* Whether key[0..len) is a symlink in dest already. */
static int dest_symlink(const struct extract *x, const char *key, size_t len)
{
	char *path = xstrndup(key, len);
	struct stat st;
	int ret;

	ret = !fstatat(x->dest_fd, path, &st, AT_SYMLINK_NOFOLLOW) &&
	      S_ISLNK(st.st_mode);
	free(path);
	return ret;
}

/*
 * Refuses a path whose parent directories are not all directories: a
 * symlink (which libarchive would follow, or refuse half-way) or a file of
 * the archive's, or a symlink already in dest. what is "its path" or "its
 * target".
 */
static int check_dirs(const struct extract *x, const struct member *m,
		      const char *path, const char *what)
{
	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		int len = (int)(s - path);
		unsigned k = kinds_of(x, path, len);

		if (k & KIND(K_SYMLINK))
			return reject(x, m->raw, "%s goes through '%.*s', "
				      "a symlink in the archive", what, len,
				      path);
		if (k & (KIND(K_FILE) | KIND(K_HARDLINK)))
			return reject(x, m->raw, "%s goes through '%.*s', "
				      "a file in the archive", what, len,
				      path);
		if (dest_symlink(x, path, len))
			return reject(x, m->raw, "%s goes through '%.*s', "
				      "a symlink already in the destination",
				      what, len, path);
	}
	return 0;
}

/*
 * Resolves a symlink's target lexically from the link's own directory and
 * refuses it if it leaves dest. Lexical ".." is exact as long as no symlink
 * has been passed: after "s/", where s is a symlink of the archive, the
 * walk goes on below s's own target (checked in its turn), so it may go
 * deeper and come back, but a ".." that climbs out of s would reach the
 * parent of s's target, which this walk cannot know. A symlink already in
 * dest is not ours to vouch for, and is not passed at all.
 */
static int check_symlink(const struct extract *x, const struct member *m)
{
	struct buf path = BUF_INIT, via = BUF_INIT;
	const char *slash = strrchr(m->name, '/');
	const char *p = m->link;
	size_t depth = 0, guard = 0;
	int ret = 0;

	if (slash) {
		buf_add(&path, m->name, slash - m->name);
		depth = 1;
		for (const char *s = path.buf; (s = strchr(s, '/')); s++)
			depth++;
	}
	while (*p && !ret) {
		size_t n = strcspn(p, "/");
		const char *next = p + n + strspn(p + n, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(path.buf, '/');

			if (!depth)
				ret = reject(x, m->raw, "is a symlink to '%s', "
					     "outside the destination",
					     m->link);
			else if (depth <= guard)
				ret = reject(x, m->raw, "is a symlink to '%s', "
					     "which leaves the symlink '%s' "
					     "by '..'", m->link, via.buf);
			else
				buf_setlen(&path, s ? (size_t)(s - path.buf)
						    : 0);
			depth--;
		} else if (n && !(n == 1 && p[0] == '.')) {
			if (path.len)
				buf_addch(&path, '/');
			buf_add(&path, p, n);
			depth++;
			if (*next) {
				unsigned k = kinds_of(x, path.buf, path.len);

				if (k & KIND(K_SYMLINK)) {
					guard = depth;
					buf_reset(&via);
					buf_add(&via, path.buf, path.len);
				} else if (!k && dest_symlink(x, path.buf,
							      path.len)) {
					ret = reject(x, m->raw, "is a symlink "
						     "to '%s', through '%s', a "
						     "symlink already in the "
						     "destination", m->link,
						     path.buf);
				}
			}
		}
		p = next;
	}
	buf_release(&path);
	buf_release(&via);
	return ret;
}

/*
 * A hard link must name a file the archive made before it (the latest of
 * that name, if there are several): link() would otherwise reach whatever
 * dest already holds by that name.
 */
static int check_hardlink(const struct extract *x, const struct member *m)
{
	const struct member *last = NULL;
	size_t len = strlen(m->link);

	if (!strcmp(m->link, m->name))
		return reject(x, m->raw, "is a hard link to itself");
	/* Members of one name are sorted in archive order. */
	for (size_t i = lookup(x, m->link, len);
	     i < x->nr && !strcmp(x->sorted[i]->name, m->link) &&
	     x->sorted[i]->index < m->index; i++)
		last = x->sorted[i];
	if (!last || (last->kind != K_FILE && last->kind != K_HARDLINK))
		return reject(x, m->raw, "is a hard link to '%s', which is "
			      "not a file earlier in the archive", m->link);
	return check_dirs(x, m, m->link, "its target");
}

/* Pass one, continued: the checks that need to see all the members. */
static int extract_check(struct extract *x)
{
	x->sorted = xcalloc(x->nr ? x->nr : 1, sizeof(*x->sorted));
	for (size_t i = 0; i < x->nr; i++)
		x->sorted[i] = &x->m[i];
	qsort(x->sorted, x->nr, sizeof(*x->sorted), member_cmp);
	for (size_t i = 0; i < x->nr; i++) {
		const struct member *m = &x->m[i];

		if (m->kind == K_ROOT)
			continue;
		if (check_dirs(x, m, m->name, "its path") < 0)
			return -1;
		if (m->kind == K_SYMLINK && check_symlink(x, m) < 0)
			return -1;
		if (m->kind == K_HARDLINK && check_hardlink(x, m) < 0)
			return -1;
	}
	return 0;
}

static int extract_one(struct extract *x, const struct member *m,
		       struct archive *a, struct archive *w,
		       struct archive_entry *e)
{
	char *path = xstrfmt("%s/%s", x->dest, m->name);
	const void *block;
	size_t size;
	la_int64_t off;
	int r, ret = 0;

	archive_entry_copy_pathname(e, path);
	free(path);
	if (m->kind == K_HARDLINK) {
		path = xstrfmt("%s/%s", x->dest, m->link);
		archive_entry_copy_hardlink(e, path);
		free(path);
	}
	/* No setuid, setgid or sticky files from a stranger's archive. */
	archive_entry_set_perm(e, archive_entry_perm(e) & 0777);
	r = archive_write_header(w, e);
	if (r == ARCHIVE_WARN && !no_space(archive_errno(w)))
		warn("archive '%s': member '%s': %s", x->archive, m->raw,
		     ar_err(w));
	else if (r != ARCHIVE_OK)
		ret = -1;
	while (!ret && (m->kind == K_FILE || m->kind == K_HARDLINK) &&
	       archive_entry_size(e) > 0) {
		if (cancelled(x))
			return -1;
		r = archive_read_data_block(a, &block, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return error("archive '%s': member '%s': %s; "
				     "extraction is incomplete", x->archive,
				     m->raw, ar_err(a));
		/* The sizes were checked in pass one; this is belt and braces. */
		x->written += size;
		if (x->lim->max_bytes && x->written > x->lim->max_bytes)
			return error("archive '%s': member '%s': over the "
				     "limit of %lld bytes (%s); extraction is "
				     "incomplete", x->archive, m->raw,
				     x->lim->max_bytes, x->lim->hint);
		/*
		 * libarchive reports a failed write(2), ENOSPC included, as
		 * ARCHIVE_WARN: only ARCHIVE_OK means the bytes are on disk.
		 */
		r = archive_write_data_block(w, block, size, off);
		if (r != ARCHIVE_OK)
			ret = -1;
	}
	if (!ret) {
		r = archive_write_finish_entry(w);
		if (r < ARCHIVE_WARN ||
		    (r == ARCHIVE_WARN && no_space(archive_errno(w))))
			ret = -1;
		else if (r == ARCHIVE_WARN)
			warn("archive '%s': member '%s': %s", x->archive,
			     m->raw, ar_err(w));
	}
	if (ret) {
		if (no_space(archive_errno(w)))
			x->failure = ARCHIVE_E_NOSPACE;
		error("archive '%s': member '%s': cannot write it: %s; "
		      "extraction is incomplete", x->archive, m->raw,
		      archive_errno(w) > 0 ? strerror(archive_errno(w))
					   : ar_err(w));
	}
	return ret;
}

/* Pass two: the same headers again, written this time. */
static int extract_write(struct extract *x, struct archive *a)
{
	struct archive *w;
	struct buf why = BUF_INIT;
	struct archive_entry *e;
	struct member seen;
	size_t i = 0;
	int r, ret = 0;

	/*
	 * Beware: this reads the umask by setting it to 0 and back (there
	 * is no other way), so a file another thread creates in that
	 * instant gets no umask.
	 */
	w = archive_write_disk_new();
	memset(&seen, 0, sizeof(seen));
	archive_write_disk_set_options(w, EXTRACT_FLAGS);
	while (!ret) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			ret = error("archive '%s': %s; extraction is "
				    "incomplete", x->archive, ar_err(a));
			break;
		}
		if (i == x->nr || member_parse(x, e, &seen, &why) < 0 ||
		    !member_same(&seen, &x->m[i])) {
			member_free(&seen);
			ret = error("archive '%s' changed while it was being "
				    "extracted; extraction is incomplete",
				    x->archive);
			break;
		}
		member_free(&seen);
		if (x->m[i].kind != K_ROOT)
			ret = extract_one(x, &x->m[i], a, w, e);
		i++;
	}
	if (!ret && i != x->nr)
		ret = error("archive '%s' changed while it was being "
			    "extracted; extraction is incomplete", x->archive);
	/* Sets the modes and times of directories, deferred until now. */
	r = archive_write_close(w);
	if (!ret && r < ARCHIVE_WARN)
		ret = error("archive '%s': %s; extraction is incomplete",
			    x->archive, ar_err(w));
	archive_write_free(w);
	/*
	 * libarchive neither checks close(2) nor syncs: a write-back error
	 * (a full thin volume, NFS, a quota counted late) would only show
	 * once the step had started on a broken tree.
	 */
	if (!ret && syncfs(x->dest_fd) < 0) {
		if (no_space(errno))
			x->failure = ARCHIVE_E_NOSPACE;
		ret = error_errno("archive '%s': cannot flush the extracted "
				  "files to disk; extraction is incomplete",
				  x->archive);
	}
	buf_release(&why);
	return ret;
}

int archive_extract_safe(const char *archive_path, const char *dest_dir)
{
	return archive_extract(archive_path, dest_dir, NULL) ? -1 : 0;
}

int archive_extract(const char *archive_path, const char *dest_dir,
		    const struct archive_limits *limits)
{
	static const struct archive_limits defaults = {
		ARCHIVE_DEFAULT_MAX_BYTES, ARCHIVE_DEFAULT_MAX_FILES,
		"no way to raise it here", NULL
	};
	struct extract x;
	struct utf8_scope u;
	struct archive *a;
	int fd, ret = -1;

	memset(&x, 0, sizeof(x));
	x.archive = archive_path;
	x.dest_fd = -1;
	x.lim = limits ? limits : &defaults;
	fd = open(archive_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_errno("cannot open archive '%s'", archive_path);
	/*
	 * The real path, because libarchive's symlink check walks all of
	 * it and would refuse a dest_dir that is reached through a symlink.
	 */
	x.dest = realpath(dest_dir, NULL);
	if (!x.dest) {
		error_errno("archive '%s': cannot find the destination '%s'",
			    archive_path, dest_dir);
		goto out;
	}
	x.dest_fd = open(x.dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x.dest_fd < 0) {
		error_errno("archive '%s': cannot open the destination '%s'",
			    archive_path, dest_dir);
		goto out;
	}
	if (!strcmp(x.dest, "/"))
		x.dest[0] = '\0';

	utf8_enter(&u);
	a = reader_open(archive_path, fd);
	if (a && !extract_scan(&x, a) && !extract_check(&x)) {
		/* The same open file, whatever is renamed onto the path. */
		archive_read_free(a);
		a = NULL;
		if (lseek(fd, 0, SEEK_SET) < 0)
			error_errno("archive '%s': cannot read it again",
				    archive_path);
		else if ((a = reader_open(archive_path, fd)))
			ret = extract_write(&x, a);
	}
	if (a)
		archive_read_free(a);
	utf8_leave(&u);
out:
	for (size_t i = 0; i < x.nr; i++)
		member_free(&x.m[i]);
	free(x.m);
	free(x.sorted);
	free(x.dest);
	if (x.dest_fd >= 0)
		close(x.dest_fd);
	close(fd);
	if (ret && x.failure)
		return x.failure;
	return ret ? ARCHIVE_E_BAD : 0;
}

/* ---- creation ---- */

struct dir_id {
	dev_t dev;
	ino_t ino;
};

struct creator {
	const char *archive;	/* as given, for messages */
	struct archive *a;
	struct buf path;	/* on disk: base_dir/name */
	struct buf name;	/* in the archive */
	struct dir_id tmp;	/* our temp file, which may be in the tree */
	struct dir_id *dirs;	/* the directories being walked */
	size_t depth, alloc;
	char *chunk;
	archive_filter_fn *filter;	/* NULL: every entry */
	void *filter_ctx;
};

static int create_header(struct creator *c, const struct stat *st,
			 unsigned int type)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_copy_pathname(e, c->name.buf);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, st->st_mode & 0777);
	archive_entry_set_size(e, type == AE_IFREG ? st->st_size : 0);
	/* Whole seconds, no atime or ctime, owner 0: same tree, same bytes. */
	archive_entry_set_mtime(e, st->st_mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	r = archive_write_header(c->a, e);
	archive_entry_free(e);
	/* ARCHIVE_WARN: a name that is not UTF-8, stored as bytes. */
	if (r < ARCHIVE_WARN)
		return error("archive '%s': member '%s': %s", c->archive,
			     c->name.buf, ar_err(c->a));
	return 0;
}

static int create_file(struct creator *c)
{
	struct stat st;
	off_t left;
	int fd, ret = 0;

	fd = open(c->path.buf, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return error_errno("archive '%s': member '%s': cannot open "
				   "'%s'", c->archive, c->name.buf,
				   c->path.buf);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error("archive '%s': member '%s': '%s' changed while "
			     "it was being archived", c->archive, c->name.buf,
			     c->path.buf);
	}
	if (create_header(c, &st, AE_IFREG) < 0) {
		close(fd);
		return -1;
	}
	/* Exactly the size in the header, or the archive is corrupt. */
	for (left = st.st_size; left > 0 && !ret;) {
		ssize_t n = read(fd, c->chunk, left < CHUNK ? left : CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = error_errno("archive '%s': member '%s': cannot "
					  "read '%s'", c->archive, c->name.buf,
					  c->path.buf);
		else if (n == 0)
			ret = error("archive '%s': member '%s': '%s' shrank "
				    "while it was being archived", c->archive,
				    c->name.buf, c->path.buf);
		else if (archive_write_data(c->a, c->chunk, n) < 0)
			ret = error("archive '%s': member '%s': %s",
				    c->archive, c->name.buf, ar_err(c->a));
		else
			left -= n;
	}
	close(fd);
	return ret;
}

static int dirent_cmp(const void *a, const void *b)
{
	const struct dirent *p = *(const struct dirent *const *)a;
	const struct dirent *q = *(const struct dirent *const *)b;

	/* Not alphasort(): strcoll() depends on the locale. */
	return strcmp(p->d_name, q->d_name);
}

static int create_path(struct creator *c);

/* Python's tarfile.add(filter=): a dropped directory is not entered. */
static int filtered_out(struct creator *c)
{
	struct stat st;

	if (!c->filter)
		return 0;
	/* Dereferenced, as the entry will be stored; errors come later. */
	if (stat(c->path.buf, &st) < 0)
		return 0;
	return !c->filter(c->name.buf, S_ISDIR(st.st_mode), c->filter_ctx);
}

static int create_dir(struct creator *c, const struct stat *st)
{
	size_t plen = c->path.len, nlen = c->name.len;
	struct dirent **list;
	int n, ret = 0;

	/* Symlinks are followed, so a directory may contain itself. */
	for (size_t i = 0; i < c->depth; i++)
		if (c->dirs[i].dev == st->st_dev &&
		    c->dirs[i].ino == st->st_ino)
			return error("archive '%s': member '%s': a symlink "
				     "loop: '%s' contains itself", c->archive,
				     c->name.buf, c->path.buf);
	if (nlen && create_header(c, st, AE_IFDIR) < 0)
		return -1;
	n = scandir(c->path.buf, &list, NULL, NULL);
	if (n < 0)
		return error_errno("archive '%s': member '%s': cannot read "
				   "'%s'", c->archive, c->name.buf,
				   c->path.buf);
	qsort(list, n, sizeof(*list), dirent_cmp);
	if (c->depth == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 16;
		c->dirs = xrealloc(c->dirs, c->alloc * sizeof(*c->dirs));
	}
	c->dirs[c->depth].dev = st->st_dev;
	c->dirs[c->depth].ino = st->st_ino;
	c->depth++;
	for (int i = 0; i < n; i++) {
		const char *d = list[i]->d_name;

		if (!ret && strcmp(d, ".") && strcmp(d, "..")) {
			buf_addf(&c->path, "/%s", d);
			if (nlen)
				buf_addch(&c->name, '/');
			buf_adds(&c->name, d);
			ret = filtered_out(c) ? 0 : create_path(c);
			buf_setlen(&c->path, plen);
			buf_setlen(&c->name, nlen);
		}
		free(list[i]);
	}
	free(list);
	c->depth--;
	return ret;
}

static int create_path(struct creator *c)
{
	struct stat st;

	/* stat(), not lstat(): symlinks are stored as what they point to. */
	if (stat(c->path.buf, &st) < 0) {
		int saved = errno;

		if (saved == ENOENT && !lstat(c->path.buf, &st) &&
		    S_ISLNK(st.st_mode))
			return error("archive '%s': member '%s': '%s' is a "
				     "dangling symlink", c->archive,
				     c->name.buf, c->path.buf);
		errno = saved;
		return error_errno("archive '%s': member '%s': cannot stat "
				   "'%s'", c->archive, c->name.buf,
				   c->path.buf);
	}
	if (st.st_dev == c->tmp.dev && st.st_ino == c->tmp.ino)
		return 0;
	if (!c->name.len && !S_ISDIR(st.st_mode))
		return error("archive '%s': member '.': '%s' is not a "
			     "directory", c->archive, c->path.buf);
	if (S_ISDIR(st.st_mode))
		return create_dir(c, &st);
	if (S_ISREG(st.st_mode))
		return create_file(c);
	return error("archive '%s': member '%s': '%s' is not a file or a "
		     "directory", c->archive, c->name.buf, c->path.buf);
}

static int create(const char *archive_path, const char *base_dir,
		  const char *const *members, int n, archive_filter_fn *filter,
		  void *ctx)
{
	struct creator c = { .archive = archive_path, .path = BUF_INIT,
			     .name = BUF_INIT, .filter = filter,
			     .filter_ctx = ctx };
	struct buf tmp = BUF_INIT;
	struct utf8_scope u;
	struct stat st;
	int fd, ret = 0;

	fd = fs_temp_beside(archive_path, &tmp);
	if (fd < 0) {
		buf_release(&tmp);
		return -1;
	}
	if (!fstat(fd, &st)) {
		c.tmp.dev = st.st_dev;
		c.tmp.ino = st.st_ino;
	}
	c.chunk = xmalloc(CHUNK);
	utf8_enter(&u);
	c.a = archive_write_new();
	/* No time in the gzip header ("!timestamp"): same tree, same bytes. */
	if (archive_write_add_filter_gzip(c.a) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(c.a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(c.a, "gzip", "timestamp",
					    NULL) != ARCHIVE_OK ||
	    archive_write_open_fd(c.a, fd) != ARCHIVE_OK)
		ret = error("archive '%s': %s", archive_path, ar_err(c.a));
	for (int i = 0; i < n && !ret; i++) {
		const char *why = name_clean(members[i], &c.name);

		if (!why && !*members[i])
			why = "has an empty name";
		if (why) {
			ret = error("archive '%s': member '%s': %s",
				    archive_path, members[i], why);
			break;
		}
		buf_reset(&c.path);
		buf_adds(&c.path, base_dir);
		if (c.name.len)
			buf_addf(&c.path, "/%s", c.name.buf);
		ret = create_path(&c);
	}
	if (!ret && archive_write_close(c.a) != ARCHIVE_OK)
		ret = error("archive '%s': %s", archive_path, ar_err(c.a));
	archive_write_free(c.a);
	utf8_leave(&u);
	if (close(fd) < 0 && !ret)
		ret = error_errno("cannot write '%s'", tmp.buf);
	if (!ret && rename(tmp.buf, archive_path) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", tmp.buf,
				  archive_path);
	if (ret)
		unlink(tmp.buf);
	buf_release(&tmp);
	buf_release(&c.path);
	buf_release(&c.name);
	free(c.dirs);
	free(c.chunk);
	return ret;
}

int archive_create(const char *archive_path, const char *base_dir,
		   const char *const *members, int n)
{
	return create(archive_path, base_dir, members, n, NULL, NULL);
}

int archive_create_filtered(const char *archive_path, const char *base_dir,
			    archive_filter_fn *filter, void *ctx)
{
	static const char *const all[] = { "." };

	return create(archive_path, base_dir, all, 1, filter, ctx);
}
