#!/usr/bin/env bash
# Folder markers: the S3 console's "Create folder" and boto's
# put_object(Key="data/") leave a zero-byte key ending in '/'. Under a
# directory input it is a directory, not a file to download (that failed
# the step, exit 81).
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=marker-01
src=$(mk_src)
cat >"$src/ls.py" <<'PY'
import os
for root, dirs, files in sorted(os.walk("data")):
    for d in sorted(dirs):
        print("dir", os.path.join(root, d))
    for f in sorted(files):
        print("file", os.path.join(root, f), open(os.path.join(root, f)).read())
PY
upload_archive "$src" "$dir" ls.tar.gz ls.py
curl_s3=(curl -sS --fail --aws-sigv4 "aws:amz:us-east-1:s3"
	 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
	 -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
for k in data/ data/sub/ data/empty/; do
	"${curl_s3[@]}" -X PUT --data-binary '' "$T3Q_S3_ENDPOINT/$bucket/$dir/$k" >/dev/null
done
printf a >"$T/a"
printf b >"$T/b"
t3q s3 put "$T/a" "s3://$bucket/$dir/data/a.csv" 2>/dev/null
t3q s3 put "$T/b" "s3://$bucket/$dir/data/sub/b.csv" 2>/dev/null

run_step "$T/wd" -d "$dir" -t ls.tar.gz -f ls.py -n ls -i data
step "a directory input with folder markers: exit 0" \
	sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
tree() {
	cat "$T/stdout"
	grep -qx "dir data/empty" "$T/stdout" && grep -qx "dir data/sub" "$T/stdout" &&
	grep -qx "file data/a.csv a" "$T/stdout" &&
	grep -qx "file data/sub/b.csv b" "$T/stdout"
}
step "the files are in place, a marker is a directory" tree
marker_get() {
	t3q s3 get "s3://$bucket/$dir/data/empty/" "$T/got/empty/" && [ -d "$T/got/empty" ]
}
step "s3 get of a folder marker makes the directory" marker_get
finish
