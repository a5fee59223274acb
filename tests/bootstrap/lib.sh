# bootstrap/lib.sh: helpers for t3q-bootstrap tests, on top of tests/lib.sh.
#
#   bucket=$(new_bucket); dir=pipe-0101
#   src=$(mk_src); write files into "$src"
#   upload_archive "$src" "$dir" step.tar.gz file...   # Elyra's archive
#   run_step WORKDIR ARGS...    # t3q-bootstrap -e -b filled in; $T/stdout, $T/stderr, $rc
#   get_obj KEY FILE            # download s3://$bucket/KEY
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# KFP files and the termination log go to the test's own dir.
export ELYRA_WRITABLE_CONTAINER_DIR=$T/wcd
export T3Q_TERMINATION_LOG=$T/termination-log

mk_src() { mktemp -d "$T/src.XXXXXX"; }

# upload_archive SRC DIR ARCHIVE FILE...: tar.gz of FILEs (relative to SRC)
# at DIR/ARCHIVE, rooted at SRC as Elyra's create_temp_archive does.
upload_archive() {
	local src=$1 dir=$2 name=$3
	shift 3
	tar -C "$src" -czf "$T/$name" "$@" &&
	t3q s3 put "$T/$name" "s3://$bucket/$dir/$name" >/dev/null 2>&1
}

run_step() {
	local wd=$1
	shift
	mkdir -p "$wd"
	rc=0
	(cd "$wd" && exec "$T3Q_BIN/bootstrap/t3q-bootstrap" \
		-e "$T3Q_S3_ENDPOINT" -b "$bucket" "$@") \
		>"$T/stdout" 2>"$T/stderr" || rc=$?
	return 0
}

get_obj() {
	t3q s3 get "s3://$bucket/$1" "$2" >/dev/null 2>&1
}

# have_obj KEY: the object exists.
have_obj() {
	t3q s3 stat "s3://$bucket/$1" >/dev/null 2>&1
}

show() {
	echo "--- rc=$rc; stdout:"; cat "$T/stdout"
	echo "--- stderr:"; cat "$T/stderr"
}

# is_merge LOG OUT ERR: LOG is OUT and ERR interleaved, each in its own
# order (two pipes have no order between them).
is_merge() {
	/usr/bin/python3 - "$@" <<'PY'
import sys
log, a, b = (open(p, "rb").read() for p in sys.argv[1:])
ok = len(log) == len(a) + len(b)
reach = {0}	# how much of a can have been used after k bytes of log
for k, c in enumerate(log if ok else b""):
    reach = {i2 for i in reach for i2 in ((i + 1,) if i < len(a) and a[i] == c else ()) +
             ((i,) if k - i < len(b) and b[k - i] == c else ())}
    if not reach:
        break
if not (ok and len(a) in reach):
    sys.exit("the log is not the two streams merged:\n--- log\n%r\n--- stdout\n%r\n--- stderr\n%r" % (log, a, b))
PY
}
# the child's stderr: ours without the bootstrap's own lines
child_stderr() { grep -v '^\[[DIWE] [0-9][0-9]:[0-9][0-9]:' "$1" || true; }
