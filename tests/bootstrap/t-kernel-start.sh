#!/usr/bin/env bash
# A notebook's kernel that dies before its first cell is started again:
# jupyter_client picks free ports that the kernel binds later, and another
# kernel on the machine (t3q-run runs notebook nodes side by side) can take
# one in between ("ZMQError: Address already in use"). A kernelspec whose
# kernel dies at its first start stands in for that race; one that always
# dies still fails, with exit 3, after 3 tries; a failing cell is not run
# again. Through t3q-bootstrap, with the nbclient of Debian's python3.
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -c 'import nbclient, nbformat, ipykernel' 2>/dev/null ||
	skip_all "/usr/bin/python3 lacks nbclient/ipykernel (scripts/install-test-deps)"
bucket=$(new_bucket)
dir=kernel-01
src=$(mk_src)
# kernel NAME DIES: a kernelspec that dies at its first DIES starts, then
# runs ipykernel; its starts are counted in $T/NAME.starts.
kernel() {
	local k=$T/jupyter/kernels/$1
	mkdir -p "$k"
	cat >"$k/start.sh" <<SH
#!/bin/sh
echo start >>"$T/$1.starts"
if [ "\$(wc -l <"$T/$1.starts")" -le $2 ]; then
	echo "zmq.error.ZMQError: Address already in use" >&2
	exit 1
fi
exec /usr/bin/python3 -m ipykernel_launcher -f "\$1"
SH
	printf '{"argv": ["/bin/sh", "%s", "{connection_file}"], "display_name": "%s", "language": "python"}\n' \
		"$k/start.sh" "$1" >"$k/kernel.json"
}
kernel once 1
kernel always 99
kernel fine 0
# notebook FILE KERNEL SOURCE
notebook() {
	/usr/bin/python3 - "$src/$1" "$2" "$3" <<'PY'
import json, sys
nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "a", "metadata": {},
                 "outputs": [], "source": sys.argv[3]}],
      "metadata": {"kernelspec": {"name": sys.argv[2], "display_name": sys.argv[2], "language": "python"}},
      "nbformat": 4, "nbformat_minor": 5}
json.dump(nb, open(sys.argv[1], "w"))
PY
}
notebook once.ipynb once 'print("cell ran")'
notebook always.ipynb always 'print("cell ran")'
notebook fail.ipynb fine '1/0'
upload_archive "$src" "$dir" nb.tar.gz once.ipynb always.ipynb fail.ipynb
export JUPYTER_PATH=$T/jupyter T3Q_PYTHON=/usr/bin/python3

once() {
	run_step "$T/wd1" -d "$dir" -t nb.tar.gz -f once.ipynb -n p
	cat "$T/stdout" "$T/stderr"
	[ $rc = 0 ] && grep -q '^cell ran$' "$T/stdout" &&
	grep -q "t3q: kernel 'once' did not start (.*); starting it again (try 2 of 3)" "$T/stderr" &&
	[ "$(wc -l <"$T/once.starts")" = 2 ]
}
step "a kernel that dies at its first start is started again, and the cell runs" once

always() {
	run_step "$T/wd2" -d "$dir" -t nb.tar.gz -f always.ipynb -n p
	cat "$T/stderr"
	[ $rc = 3 ] && grep -q "t3q: cannot start kernel 'always'" "$T/stderr" &&
	[ "$(wc -l <"$T/always.starts")" = 3 ] && ! grep -q '^cell ran$' "$T/stdout"
}
step "a kernel that always dies: exit 3 after 3 tries" always

cell_fails() {
	run_step "$T/wd3" -d "$dir" -t nb.tar.gz -f fail.ipynb -n p
	cat "$T/stderr"
	[ $rc = 1 ] && grep -q '^t3q: cell 0 failed: ZeroDivisionError' "$T/stderr" &&
	[ "$(wc -l <"$T/fine.starts")" = 1 ]
}
step "a failing cell is not run again (one kernel start)" cell_fails

finish
