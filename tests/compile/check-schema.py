"""check-schema.py SCHEMA FILE: validate a workflow against the Argo JSON
schema (a floor; Argo's own lint is the gate)."""
import json
import sys
import yaml
import jsonschema

schema = json.load(open(sys.argv[1]))
wrapped = {"$ref": "#/definitions/io.argoproj.workflow.v1alpha1.Workflow",
           "definitions": schema["definitions"]}
doc = yaml.safe_load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft7Validator(wrapped).iter_errors(doc), key=str)
for e in errors:
    print("schema: %s: %s" % ("/".join(map(str, e.absolute_path)), e.message))
if errors:
    sys.exit(1)
print("ok: valid against the Argo v3.3.8 JSON schema")
