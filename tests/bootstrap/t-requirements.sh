#!/usr/bin/env bash
# requirements.txt in the dependency archive, installed offline from a wheel
# dir through PIP_NO_INDEX/PIP_FIND_LINKS into a fresh venv; not again when
# already satisfied; not at all with ELYRA_INSTALL_PACKAGES=false; into
# --user-volume-path with --target, which the step then imports from.
. "$(dirname "$0")/lib.sh"
/usr/bin/python3 -m venv "$T/venv" >"$T/venv.out" 2>&1 ||
	skip_all "/usr/bin/python3 -m venv failed (apt-get install python3-venv): $(tail -1 "$T/venv.out")"
py=$T/venv/bin/python
"$py" -m pip --version >/dev/null 2>&1 || skip_all "the venv has no pip"

# A pure-Python wheel, by hand: t3qdemo 1.0 with VALUE = 42.
mkdir -p "$T/wheels"
/usr/bin/python3 - "$T/wheels" <<'PY'
import base64, hashlib, sys, zipfile
files = {
    "t3qdemo/__init__.py": b"VALUE = 42\n",
    "t3qdemo-1.0.dist-info/METADATA":
        b"Metadata-Version: 2.1\nName: t3qdemo\nVersion: 1.0\nSummary: t3q test package\n",
    "t3qdemo-1.0.dist-info/WHEEL":
        b"Wheel-Version: 1.0\nGenerator: t3q-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "t3qdemo-1.0.dist-info/top_level.txt": b"t3qdemo\n",
}
record = []
for name, data in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
record.append("t3qdemo-1.0.dist-info/RECORD,,")
files["t3qdemo-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
with zipfile.ZipFile(sys.argv[1] + "/t3qdemo-1.0-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in files.items():
        z.writestr(name, data)
PY
export PIP_NO_INDEX=1 PIP_FIND_LINKS=$T/wheels T3Q_PYTHON=$py

bucket=$(new_bucket)
dir=req-01
src=$(mk_src)
printf 'import t3qdemo\nprint("VALUE=%%d" %% t3qdemo.VALUE)\nprint("FROM=" + t3qdemo.__file__)\n' >"$src/use.py"
printf '# the step'"'"'s own requirements\nt3qdemo==1.0\n' >"$src/requirements.txt"
upload_archive "$src" "$dir" ok.tar.gz use.py requirements.txt
printf 't3qdemo==1.0\nt3q-no-such-package==9.9\n' >"$src/requirements.txt"
upload_archive "$src" "$dir" missing.tar.gz use.py requirements.txt

# both SUBSTRING: in stdout or stderr of the last run_step.
both() { cat "$T/stdout" "$T/stderr" >"$T/both"; grep -qF -- "$1" "$T/both"; }

run_step "$T/wd1" -d "$dir" -t ok.tar.gz -f use.py -n req
step "first run: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stdout' '$T/stderr'; exit 1; }"
step "first run: pip ran, offline, from the wheel dir" \
	sh -c "grep -q \"'req':'use' - Installing packages\" '$T/stderr' && cat '$T/stdout' '$T/stderr' | grep -q 'Successfully installed t3qdemo-1.0'"
step "first run: the script imports what pip installed" \
	sh -c "grep -q '^VALUE=42$' '$T/stdout' && grep -q '^FROM=$T/venv/' '$T/stdout'"

start=$(date +%s.%N)
run_step "$T/wd2" -d "$dir" -t ok.tar.gz -f use.py -n req
end=$(date +%s.%N)
step "second run, same venv: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "second run: the check finds it satisfied and says so" \
	grep -q "'req':'use' - requirements in requirements.txt already satisfied; not running pip (" "$T/stderr"
no_pip() { ! both "Processing" && ! both "Successfully installed" && ! both "Installing packages"; }
step "second run: pip did not run" no_pip
step "second run: the script still imports it" grep -q '^VALUE=42$' "$T/stdout"
check_secs=$(sed -n 's/.*already satisfied; not running pip (\([0-9.]*\) secs)$/\1/p' "$T/stderr")
echo "# second run: the satisfied check took ${check_secs:-?} s, the whole step $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') s"

"$py" -m pip uninstall -y -q t3qdemo >/dev/null 2>&1
step "(the venv no longer has t3qdemo)" sh -c "! '$py' -c 'import t3qdemo' 2>/dev/null"

ELYRA_INSTALL_PACKAGES=false run_step "$T/wd3" -d "$dir" -t ok.tar.gz -f use.py -n req
step "ELYRA_INSTALL_PACKAGES=false: nothing installed, the import fails (exit 1)" \
	sh -c "[ $rc = 1 ] && grep -q \"ModuleNotFoundError: No module named 't3qdemo'\" '$T/stderr'"
step "ELYRA_INSTALL_PACKAGES=false: it says why, and pip did not run" \
	sh -c "grep -q \"not installing 'requirements.txt': ELYRA_INSTALL_PACKAGES=false\" '$T/stderr' && ! grep -q 'Installing packages' '$T/stderr'"

run_step "$T/wd4" -d "$dir" -t missing.tar.gz -f use.py -n req
step "a requirement pip cannot find: exit 83" sh -c "[ $rc = 83 ] || { echo rc=$rc; cat '$T/stderr'; exit 1; }"
step "the message says how to install offline" \
	grep -q 'pip install -r requirements.txt failed (exit [0-9]*); for offline installs set PIP_NO_INDEX=1 and PIP_FIND_LINKS=' "$T/stderr"
step "and the script did not run" sh -c "! grep -q VALUE '$T/stdout'"
step "(pip itself named the package)" both "t3q-no-such-package"

run_step "$T/wd5" -d "$dir" -t ok.tar.gz -f use.py -n req -p "$T/uvp"
step "--user-volume-path: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stdout' '$T/stderr'; exit 1; }"
step "--user-volume-path: pip installed into that dir (--target)" \
	sh -c "[ -f '$T/uvp/t3qdemo/__init__.py' ] && ! '$py' -c 'import t3qdemo' 2>/dev/null"
step "--user-volume-path: the script imports it from there (PYTHONPATH)" \
	sh -c "grep -q '^VALUE=42$' '$T/stdout' && grep -q '^FROM=$T/uvp/t3qdemo/__init__.py$' '$T/stdout'"
run_step "$T/wd6" -d "$dir" -t ok.tar.gz -f use.py -n req -p "$T/uvp"
step "--user-volume-path again: the check sees the dir, pip does not run" \
	sh -c "[ $rc = 0 ] && grep -q 'already satisfied; not running pip' '$T/stderr' && grep -q '^FROM=$T/uvp/' '$T/stdout'"

finish
