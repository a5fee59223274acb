#!/usr/bin/env bash
# The documentation against the programs: each docs/reference/PROGRAM.md
# holds PROGRAM's --help word for word (scripts/gen-man check), each man
# page scripts/gen-man makes renders with groff without a warning and has
# its sections, the build's man pages are those pages, and every relative
# link and #anchor in README.md and docs/ leads somewhere. No server.
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${T3Q_BIN:?T3Q_BIN must point at the build directory}"
cd "$root"

step "each reference's --help block is the built program's --help" \
	python3 scripts/gen-man check "$T3Q_BIN"

# A block edited by hand must fail the check: a copy of docs/ with one
# word of t3q-run's block changed.
drift() {
	cp -r docs "$T/docs"
	sed -i '/^<!-- help: t3q-run --help -->/,/^<!-- \/help -->/s/nodes running at once/nodes at once/' \
		"$T/docs/reference/t3q-run.md"
	! python3 scripts/gen-man --docs "$T/docs" check "$T3Q_BIN" >"$T/drift.out" &&
		grep -q -- '^-  -j, --jobs N  *nodes at once' "$T/drift.out" ||
		{ cat "$T/drift.out"; return 1; }
}
step "an edited help block fails the check, showing the line" drift

# page PROG DIR: the man page, rendered; groff's warnings (-ww) fail it.
page() {
	local prog=$1 dir=$2 warn
	python3 scripts/gen-man page "$prog" "$T3Q_BIN/$dir/$prog" "$T/$prog.1" || return 1
	warn=$(groff -man -Tutf8 -ww -z "$T/$prog.1" 2>&1)
	[ -z "$warn" ] || { echo "groff warns on $prog.1:"; echo "$warn"; return 1; }
	groff -man -Tutf8 "$T/$prog.1" 2>&1 | sed 's/.\x08//g' >"$T/$prog.txt"
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT 'EXIT STATUS'; do
		grep -qx "$s" "$T/$prog.txt" || { echo "$prog.1 has no $s"; return 1; }
	done
	# the build's page (CMake's man target, installed to share/man/man1)
	# is this one
	if [ -e "$T3Q_BIN/man/$prog.1" ]; then
		cmp "$T3Q_BIN/man/$prog.1" "$T/$prog.1" ||
			{ echo "$T3Q_BIN/man/$prog.1 is stale: rebuild"; return 1; }
	fi
}
for p in t3q-bootstrap:bootstrap t3q-compile:compiler t3q-run:runner; do
	step "man page ${p%%:*}(1) renders without warnings, with every section" page "${p%%:*}" "${p#*:}"
done

links() {
	python3 tests/scripts/doclinks.py "$root" README.md $(cd "$root" && find docs -name '*.md' | sort)
}
step "every relative link and anchor in README.md and docs/ resolves" links

# The link check itself: a missing file and a missing heading are found.
broken() {
	mkdir -p "$T/r/docs"
	printf '# A\n\n[x](docs/nope.md) [y](#nohead) [z](docs/b.md#b) [w](#a)\n' >"$T/r/README.md"
	printf '# B\n' >"$T/r/docs/b.md"
	! python3 tests/scripts/doclinks.py "$T/r" README.md >"$T/r/out" &&
		[ "$(wc -l <"$T/r/out")" = 2 ] && grep -q 'nope.md: no such file' "$T/r/out" &&
		grep -q 'has no heading #nohead' "$T/r/out" || { cat "$T/r/out"; return 1; }
}
step "the link check finds a missing file and a missing heading" broken

finish
