#!/usr/bin/env bash
# t3q-elyra runs t3q-compile inside the Jupyter server: a compile that does
# not end (a hostile component, a url-catalog that never answers) is
# stopped after T3Q_ELYRA_COMPILE_TIMEOUT with a clear CompileError, not
# a hung request (issue 21). Needs only the system Python: the compiler
# module is plain standard library, and a stand-in t3q-compile sleeps.
. "$(dirname "$0")/../lib.sh"
py=/usr/bin/python3
cd "$T" || exit 1
mkdir bin
printf '#!/bin/sh\nexec sleep 600\n' >bin/t3q-compile
chmod +x bin/t3q-compile
stopped() {
	PATH="$T/bin:$PATH" T3Q_ELYRA_COMPILE_TIMEOUT=1 "$py" - "$T3Q_SRC/t3q-elyra" <<'PY'
import sys, time, types
sys.path.insert(0, sys.argv[1])
import importlib.util
spec = importlib.util.spec_from_file_location("compiler", sys.argv[1] + "/t3q_elyra/compiler.py")
compiler = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compiler)
compiler.BUNDLED = "/nonexistent"
src = types.SimpleNamespace(data=b'{"doc_type": "pipeline"}', base_dir=None, definition=None)
t0 = time.time()
try:
    compiler.run(src, {}, "p", ".", want_yaml=False)
except compiler.CompileError as e:
    print(e)
    assert "did not finish within 1 s" in str(e), e
    assert time.time() - t0 < 10, time.time() - t0
    sys.exit(0)
sys.exit("no CompileError")
PY
}
step "a t3q-compile that never ends is stopped, with a clear error" stopped
finish
