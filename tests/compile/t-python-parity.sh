#!/usr/bin/env bash
# Where t3q must write or match as Python does (Elyra is Python), compare
# with Python itself over many generated inputs, in one process each:
#  - floats: Python's repr(), as Elyra prints a Float parameter;
#  - fnmatch: Python's fnmatchcase(), as Elyra's create_temp_archive matches
#    dependency patterns;
#  - artifact names: every spelling of a path ("./x", "x/", " x", "a//b")
#    gets the one name that the compiler declares and the bootstrap stages,
#    and distinct paths get distinct names.
# tests/tools/probe answers with libt3q's own functions. Seeded: a failure
# prints the inputs.
. "$(dirname "$0")/../lib.sh"
probe=$T3Q_BIN/tests/probe
[ -x "$probe" ] || { echo "no $probe"; exit 1; }
export PROBE=$probe

run_py() {  # NAME: the Python check below, by name
	/usr/bin/python3 - "$1" <<'PY'
import fnmatch, math, random, struct, subprocess, sys, os

def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

def probe(lines):
    out = subprocess.run([os.environ["PROBE"]], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True).stdout
    return [l.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
            for l in out.split("\n")[:-1]]

rnd = random.Random(20261130)
what = sys.argv[1]
bad = []
if what == "floats":
    xs = [0.1, 0.3, 1e-07, 3.0, 1e16, 1e15, 123456789.125, 0.0001, 0.00001,
          -0.0, 5e-324, 1.7976931348623157e308, 2.5, 100.0, 1e22, 1/3, -2.75e-5]
    while len(xs) < 20000:
        k = rnd.randrange(4)
        if k == 0:
            x = struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(64)))[0]
        elif k == 1:
            x = round(rnd.uniform(-1000, 1000), rnd.randrange(0, 8))
        elif k == 2:
            x = float(rnd.randrange(-10**6, 10**6)) * 10.0 ** rnd.randrange(-20, 25)
        else:
            x = rnd.random() * 10.0 ** rnd.randrange(-8, 18)
        if not math.isnan(x):
            xs.append(x)
    got = probe(["f " + x.hex() for x in xs])
    bad = [(x, repr(x), g) for x, g in zip(xs, got) if repr(x) != g]
    print(f"{len(xs)} floats compared with repr()")
elif what == "fnmatch":
    alpha = ["a", "b", ".", "/", "*", "?", "[", "]", "!", "-", "^", "é", "日", "\\", "z"]
    cases = [("*.py", "a.py"), ("*", ".hidden"), ("data/*.csv", "data/sub/x.csv"),
             ("[!a]*", "b"), ("[^a]", "^"), ("[]]", "]"), ("[z-a]", "b"), ("a\\*", "a\\b"),
             ("?", "日"), ("[é-日]", "ü"), ("d*", "data/x")]
    while len(cases) < 30000:
        p = "".join(rnd.choice(alpha) for _ in range(rnd.randrange(0, 7)))
        n = "".join(rnd.choice(alpha[:4] + ["é", "日", "]", "-", "!", "z"]) for _ in range(rnd.randrange(0, 7)))
        cases.append((p, n))
    got = probe(["m " + esc(p) + "\t" + esc(n) for p, n in cases])
    bad = [(p, n, fnmatch.fnmatchcase(n, p), g) for (p, n), g in zip(cases, got)
           if str(int(fnmatch.fnmatchcase(n, p))) != g]
    print(f"{len(cases)} patterns compared with fnmatchcase()")
elif what == "names":
    seg = ["models", "data", "x.csv", "out put", "日本", "a-b", "a.b", "mlpipeline-metrics", "ü", "-", "_"]
    paths = set()
    while len(paths) < 1200:  # of the 1463 possible
        paths.add("/".join(rnd.choice(seg) for _ in range(rnd.randrange(1, 4))))
    paths = sorted(paths)
    spell = lambda p, k: ["./" + p, p + "/", " " + p + "\t", p.replace("/", "//"),
                          "././" + p + "//", p.replace("/", "/./")][k]
    lines, want = [], []
    for p in paths:
        lines.append("a " + esc(p))
        for k in range(6):
            lines.append("a " + esc(spell(p, k)))
    got = probe(lines)
    names = {}
    for i, p in enumerate(paths):
        row = got[i * 7:(i + 1) * 7]
        if len(set(row)) != 1:
            bad.append((p, row))
        names.setdefault(row[0], []).append(p)
        n = row[0]
        if not n or len(n) > 63 or any(not (c.isascii() and (c.isalnum() or c in "-_")) for c in n):
            bad.append((p, "not an Argo artifact name: " + n))
        if n in ("mlpipeline-ui-metadata", "mlpipeline-metrics", "main-logs"):
            bad.append((p, "reserved name: " + n))
    bad += [("collision", n, ps) for n, ps in names.items() if len(ps) > 1]
    print(f"{len(paths)} paths x 7 spellings named")
for b in bad[:20]:
    print("MISMATCH", b)
sys.exit(1 if bad else 0)
PY
}
step "floats are printed as Python's repr()" run_py floats
step "dependency patterns match as Python's fnmatch" run_py fnmatch
step "every spelling of a path has one artifact name; names distinct and valid" run_py names
finish
