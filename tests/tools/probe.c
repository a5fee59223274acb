/*
 * probe: answers lines on stdin with what libt3q makes of them, one line
 * each, so that a test can compare t3q with Python over many generated
 * inputs in one process (tests/compile/t-python-parity.sh).
 *
 *   f HEXFLOAT          -> buf_add_pyfloat (Python's repr of a float)
 *   m PATTERN<TAB>NAME  -> 1 or 0: upload_fnmatch (Python's fnmatchcase)
 *   n PATH              -> names_normalize
 *   a PATH              -> names_artifact
 * Strings are given and printed with \t, \n and \\ escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "pipeline/names.h"
#include "pipeline/upload_scan.h"

static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

static void put(const char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else if (*s == '\\')
			fputs("\\\\", stdout);
		else
			putchar(*s);
	putchar('\n');
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct buf b = BUF_INIT;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		char *arg = line + 2, *tab;

		if (line[len - 1] == '\n')
			line[len - 1] = 0;
		buf_reset(&b);
		switch (line[0]) {
		case 'f':
			buf_add_pyfloat(&b, strtod(arg, NULL));
			put(b.buf);
			break;
		case 'm':
			tab = strchr(arg, '\t');
			if (!tab)
				return 2;
			*tab = 0;
			unescape(arg);
			unescape(tab + 1);
			printf("%d\n", upload_fnmatch(arg, tab + 1));
			break;
		case 'n':
			unescape(arg);
			names_normalize(&b, arg);
			put(b.buf);
			break;
		case 'a':
			unescape(arg);
			names_artifact(&b, arg);
			put(b.buf);
			break;
		default:
			return 2;
		}
	}
	free(line);
	buf_release(&b);
	return 0;
}
