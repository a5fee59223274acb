"""The "t3q" runtimes schema (entry point group metadata.schemas_providers)."""
import json
import os
from typing import Dict
from typing import List

from elyra.metadata.schema import SchemasProvider

from t3q_elyra import hooks

SCHEMA_FILE = os.path.join(os.path.dirname(__file__), "schemas", "t3q.json")


class T3qSchemasProvider(SchemasProvider):
    def __init__(self):
        super().__init__()
        # The schema provider is loaded with Elyra's metadata, before any
        # pipeline is validated or parsed: the hooks must be there by then.
        hooks.install()

    def get_schemas(self) -> List[Dict]:
        with open(SCHEMA_FILE) as f:
            return [json.load(f)]
