#!/usr/bin/env bash
# --copy DEST, the init container's command: this very binary, byte for
# byte, at DEST with mode 0555, exit 0; a DEST that cannot be written is
# exit 1 naming it; a wrong count of arguments is a usage error (2).
. "$(dirname "$0")/../lib.sh"
bs=$T3Q_BIN/bootstrap/t3q-bootstrap
copied() {
	"$bs" --copy "$T/bin/t3q-bootstrap" 2>"$T/err" || { cat "$T/err"; return 1; }
	cmp "$bs" "$T/bin/t3q-bootstrap" &&
	[ "$(stat -c %a "$T/bin/t3q-bootstrap")" = 555 ] &&
	"$T/bin/t3q-bootstrap" --copy "$T/bin/again" 2>/dev/null && cmp "$bs" "$T/bin/again"
}
step "--copy DEST: the binary, mode 0555, into a new directory; the copy copies itself" copied
refused() {
	: >"$T/file"
	local rc=0
	"$bs" --copy "$T/file/x" 2>"$T/err" || rc=$?
	cat "$T/err"
	[ $rc = 1 ] && grep -q "$T/file" "$T/err"
}
step "a DEST below a file: exit 1, naming it" refused
usage() {
	local rc=0
	"$bs" --copy 2>"$T/err" || rc=$?
	[ $rc = 2 ] && grep -q "usage: t3q-bootstrap --copy DEST" "$T/err"
}
step "--copy without DEST: usage error 2" usage
finish
