#!/usr/bin/env python3
"""runtime-config.py AUTH_TYPE [COS_SECRET]: the KFP runtime configuration
that the peer tests give both tools (t-elyra-peer.sh, t-elyra-diff.sh):
cos_auth_type AUTH_TYPE, and cos_secret when given."""
import json
import sys

md = {"runtime_type": "KUBEFLOW_PIPELINES", "api_endpoint": "http://kfp.example:8888",
      "engine": "Argo", "auth_type": "NO_AUTHENTICATION",
      "cos_endpoint": "http://minio.example:9000", "cos_bucket": "peer-bucket",
      "cos_auth_type": sys.argv[1], "cos_username": "peer-user", "cos_password": "peer-pass-123"}
if len(sys.argv) > 2:
    md["cos_secret"] = sys.argv[2]
print(json.dumps({"display_name": "t3q peer", "schema_name": "kfp", "metadata": md}, indent=1))
