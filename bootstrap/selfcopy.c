/*
 * selfcopy: copies this very binary (through /proc/self/exe, so it works
 * whatever the image's PATH) to DEST with mode 0555, as argoexec's init
 * container does; an emptyDir then carries it into the step's container.
 */
#include "bootstrap/selfcopy.h"

#include <stdio.h>
#include <sys/stat.h>

#include "base/fsutil.h"
#include "base/log.h"

int selfcopy_main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: t3q-bootstrap --copy DEST\n");
		return 2;
	}
	if (fs_copy_file("/proc/self/exe", argv[1]) < 0)
		return 1;
	if (chmod(argv[1], 0555) < 0)
		return error_errno("cannot chmod '%s'", argv[1]) ? 1 : 1;
	info("copied t3q-bootstrap to %s", argv[1]);
	return 0;
}
