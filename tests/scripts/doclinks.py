#!/usr/bin/env python3
"""doclinks.py ROOT FILE...: every relative link of the markdown FILEs
(paths relative to ROOT) leads to a file or directory that exists, and
every #anchor to a heading of the file it names (GitHub's slugs). Links
in code blocks and code spans are not links. Prints one line per broken
link, FILE:LINE: the link and why; exits 1 if there is one."""
import os
import re
import sys

LINK = re.compile(r"!?\[(?:[^\]`]|`[^`]*`)*\]\(([^)\s]+)\)")


def slug(text):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def lines(path):
    """(line number, text) outside code blocks, code spans blanked."""
    fence = False
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if re.match(r"^\s*```", line):
                fence = not fence
                continue
            if not fence:
                yield n, re.sub(r"`[^`]*`", "``", line)


def raw_headings(path):
    """Headings as written (code spans kept), for slugs with code in them."""
    fence, out, seen = False, set(), {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if re.match(r"^\s*```", line):
                fence = not fence
            elif not fence and re.match(r"^#{1,6} ", line):
                s = slug(re.sub(r"^#+ ", "", line).replace("`", ""))
                out.add(s if s not in seen else "%s-%d" % (s, seen[s]))
                seen[s] = seen.get(s, 0) + 1
    return out


def check(root, rel):
    path = os.path.join(root, rel)
    bad = []
    for n, line in lines(path):
        for m in LINK.finditer(line):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue        # http:, https:, mailto:
            file_part, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            where = "%s:%d: %s" % (rel, n, target)
            if not os.path.exists(dest):
                bad.append(where + ": no such file")
            elif anchor:
                if not dest.endswith(".md") or os.path.isdir(dest):
                    bad.append(where + ": an anchor into a file that is not markdown")
                elif anchor not in raw_headings(dest):
                    bad.append(where + ": %s has no heading #%s" % (os.path.relpath(dest, root), anchor))
    return bad


def main(argv):
    root, files = argv[1], argv[2:]
    bad = [b for f in files for b in check(root, f)]
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
