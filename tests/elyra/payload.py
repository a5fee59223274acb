"""payload.py: a pipeline file as JupyterLab's pipeline editor sends it.

    python payload.py PIPELINE ROOT_DIR RUNTIME_CONFIG [export PATH]

Node files become relative to the server's root (as the editor makes
them), app_data gets name, source, runtime and runtime_config. Prints the
body of POST /elyra/pipeline/validate, or with 'export PATH' the body of
POST /elyra/pipeline/export.
"""
import json
import os
import sys

path, root, runtime_config = sys.argv[1:4]
with open(path) as f:
    p = json.load(f)
rel_dir = os.path.relpath(os.path.dirname(os.path.abspath(path)), root)
for pipeline in p["pipelines"]:
    for node in pipeline.get("nodes", []):
        params = node.get("app_data", {}).get("component_parameters")
        if isinstance(params, dict) and isinstance(params.get("filename"), str):
            params["filename"] = os.path.normpath(os.path.join(rel_dir, params["filename"]))
    if pipeline["id"] == p["primary_pipeline"]:
        app = pipeline.setdefault("app_data", {})
        app["name"] = os.path.splitext(os.path.basename(path))[0]
        app["source"] = os.path.relpath(os.path.abspath(path), root)
        app["runtime"] = "t3q"
        app["runtime_config"] = runtime_config
        app["runtime_type"] = "KUBEFLOW_PIPELINES"
if len(sys.argv) > 5 and sys.argv[4] == "export":
    print(json.dumps({"pipeline": p, "export_format": "yaml", "export_path": sys.argv[5], "overwrite": True}))
else:
    print(json.dumps(p))
