"""check-yaml.py FILE: reparse with PyYAML (YAML 1.1, as KFP's Go yaml.v2)
and require every parameter value, env value, label and annotation to be a
string: an unquoted yes/1.10/0755 would be retyped."""
import sys
import yaml

doc = yaml.safe_load(open(sys.argv[1]))
bad = []


def need_str(where, v):
    if not isinstance(v, str):
        bad.append("%s: %r is %s, not a string" % (where, v, type(v).__name__))


for i, p in enumerate(doc["spec"].get("arguments", {}).get("parameters", [])):
    need_str("spec.arguments.parameters[%d].value" % i, p.get("value"))
for t in doc["spec"]["templates"]:
    name = t["name"]
    for task in t.get("dag", {}).get("tasks", []):
        for p in task.get("arguments", {}).get("parameters", []):
            need_str("%s.%s.arguments.%s" % (name, task["name"], p["name"]), p.get("value"))
    c = t.get("container")
    if c:
        for e in c.get("env", []):
            if "value" in e:
                need_str("%s.env.%s" % (name, e["name"]), e["value"])
        for a in c.get("args", []):
            need_str("%s.args" % name, a)
    for kind in ("labels", "annotations"):
        for k, v in t.get("metadata", {}).get(kind, {}).items():
            need_str("%s.metadata.%s.%s" % (name, kind, k), k)
            need_str("%s.metadata.%s.%s" % (name, kind, k), v)
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("ok: YAML 1.1 reads every value as a string")
