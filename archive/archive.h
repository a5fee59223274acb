/*
 * archive: the dependency archives of Elyra pipeline steps (tar.gz).
 *
 * archive_extract_safe() unpacks an archive that anyone with write access
 * to the bucket could have made, so it trusts nothing in it. It reads the
 * archive twice: the first pass reads every header (and decompresses all
 * data, so a truncated or corrupt archive is found here) and refuses the
 * whole archive if any member is unacceptable; only then does the second
 * pass write. A member is refused when its name is absolute, has a ".."
 * segment or is empty; when it is a symlink whose target is absolute or
 * leaves dest_dir (resolved lexically from the link's own directory, also
 * through the archive's other symlinks); when it is a hard link whose
 * target is absolute, has "..", or is not a regular file earlier in the
 * archive; when it is anything but a file, directory, symlink or hard
 * link; or when it would be written through a symlink (one of the
 * archive's, or one already in dest_dir). Python's tarfile stores the
 * archive's own root as a directory named "/" (Elyra's arcname=""); that
 * member, like "./", names dest_dir itself and is skipped.
 *
 * Permissions are restored without setuid, setgid and sticky bits, and
 * mtimes are restored; owners never are, even as root. Existing symlinks
 * in dest_dir are not followed: one in the way of a member is replaced.
 * Formats: tar (ustar, pax, GNU, v7), bare or compressed with gzip, bzip2,
 * xz, lzma or zstd. Members are written by absolute path below
 * realpath(dest_dir); the process's working directory is never changed.
 * The archive must be a seekable file (it is read twice).
 *
 * archive_create() writes members (relative paths below base_dir; "."
 * means all of base_dir) as a gzip'd pax archive: directories recursively
 * with every entry, hidden ones too, sorted bytewise; symlinks dereferenced
 * (stored as what they point to; a dangling one is an error); permission
 * bits and whole-second mtimes kept; owners 0 and unnamed; no timestamp in
 * the gzip header. So the same tree gives the same bytes. Members are
 * stored in the order given. The archive is written beside archive_path
 * and renamed onto it, so that it appears whole or not at all.
 *
 * archive_create_filtered() walks all of base_dir the way Python's
 * tarfile.add(base_dir, arcname="", filter=...) does, as Elyra builds its
 * dependency archives: filter(name, is_dir, ctx) is asked about every entry
 * below base_dir (name relative to it, links dereferenced), and an entry it
 * refuses (returns 0) is left out; a refused directory is not entered.
 * Entries are visited sorted bytewise, parents before children.
 *
 * All three return 0, or -1 after logging what was wrong, naming the archive
 * and the member. If archive_extract_safe() fails after its first pass
 * (a write error, or an archive that changed between the passes), the
 * message says that extraction is incomplete. Strings are borrowed.
 */
#ifndef T3Q_ARCHIVE_ARCHIVE_H
#define T3Q_ARCHIVE_ARCHIVE_H

/*
 * Bounds on what an extraction may write, checked against the headers in
 * the first pass (so a gzip bomb is refused before a byte is written) and
 * again against the bytes actually written. 0 means no bound.
 */
struct archive_limits {
	long long max_bytes;	/* sum of the members' sizes */
	long long max_files;	/* number of members */
	const char *hint;	/* how to raise them, for the message */
	/* Polled between members and data blocks; non-zero stops at once. */
	int (*cancel)(void);
};

/*
 * 8 GiB: more than any dependency archive we have seen (a notebook and its
 * files; data belongs in inputs), less than the ephemeral storage of a
 * common node, so that a bomb trips the limit before it fills the disk.
 * 1,000,000 members: a site-packages tree has tens of thousands; each
 * member costs about 150 bytes of memory while the archive is checked.
 */
#define ARCHIVE_DEFAULT_MAX_BYTES (8LL << 30)
#define ARCHIVE_DEFAULT_MAX_FILES 1000000LL

/* What archive_extract() returns besides 0. */
enum archive_failure {
	ARCHIVE_E_BAD = -1,	/* unsafe, corrupt, over a limit, I/O */
	ARCHIVE_E_NOSPACE = -2,	/* ENOSPC or EDQUOT while writing */
	ARCHIVE_E_CANCELLED = -3, /* limits->cancel() said stop */
};

/*
 * As archive_extract_safe(), within limits (NULL: the defaults). Every
 * write, the close of every file and a final syncfs() of the destination
 * are checked: a failure names the member and the cause, and gives
 * ARCHIVE_E_NOSPACE when the disk or quota is full.
 */
int archive_extract(const char *archive_path, const char *dest_dir,
		    const struct archive_limits *limits);
/* archive_extract() with the default limits; returns 0 or -1. */
int archive_extract_safe(const char *archive_path, const char *dest_dir);
int archive_create(const char *archive_path, const char *base_dir,
		   const char *const *members, int n);

typedef int archive_filter_fn(const char *name, int is_dir, void *ctx);
int archive_create_filtered(const char *archive_path, const char *base_dir,
			    archive_filter_fn *filter, void *ctx);

#endif
