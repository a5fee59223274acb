"""Metadata class of the t3q runtime configurations.

Elyra infers a missing runtime_type only for its own kfp/airflow/argo
schemas; a t3q instance always carries KUBEFLOW_PIPELINES, so that
'elyra-metadata create runtimes --schema_name=t3q' needs no --runtime_type.
The rest (auth and COS constraints) is Elyra's KfpMetadata.
"""
from typing import Any

from elyra.pipeline.kfp.kfp_metadata import KfpMetadata

RUNTIME_TYPE = "KUBEFLOW_PIPELINES"


class T3qMetadata(KfpMetadata):
    def on_load(self, **kwargs: Any) -> None:
        if "runtime_type" not in self.metadata:
            self.metadata["runtime_type"] = RUNTIME_TYPE
        super().on_load(**kwargs)

    def pre_save(self, **kwargs: Any) -> None:
        self.metadata.setdefault("runtime_type", RUNTIME_TYPE)
        super().pre_save(**kwargs)
