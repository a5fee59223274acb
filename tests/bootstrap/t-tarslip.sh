#!/usr/bin/env bash
# Archives that try to write outside the work dir are refused, naming the
# member, and nothing at all is written.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=slip-01
mkdir -p "$T/outside"

# make_tar NAME: a tar.gz built by Python's tarfile, with hostile members.
make_tar() {
	/usr/bin/python3 - "$T/$1" "$1" "$T/outside" <<'PY'
import io, sys, tarfile
path, kind, outside = sys.argv[1:]
def add(tf, name, data=b"x", **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(ti, k, v)
    ti.size = len(data) if ti.type == tarfile.REGTYPE else 0
    tf.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
with tarfile.open(path, "w:gz") as tf:
    add(tf, "run.sh", b"echo should-not-run\n")
    if kind == "dotdot.tar.gz":
        add(tf, "../outside/evil")
    elif kind == "absolute.tar.gz":
        add(tf, outside + "/evil")
    elif kind == "symlink.tar.gz":
        add(tf, "link", type=tarfile.SYMTYPE, linkname="../outside")
        add(tf, "link/evil")
PY
}
for a in dotdot.tar.gz absolute.tar.gz symlink.tar.gz; do
	make_tar $a
	t3q s3 put "$T/$a" "s3://$bucket/$dir/$a" 2>/dev/null
	rm -rf "$T/wd"
	run_step "$T/wd" -d "$dir" -t $a -f run.sh -n p
	step "$a: refused with exit 82" sh -c "[ $rc = 82 ]"
	step "$a: the error names the member" grep -q "member '.*\(evil\|link\)'" "$T/stderr"
	step "$a: nothing outside the work dir" sh -c "[ -z \"\$(ls -A '$T/outside')\" ]"
	step "$a: nothing extracted, nothing run" sh -c "[ ! -e '$T/wd/run.sh' ] && ! grep -q should-not-run '$T/stdout'"
done

finish
