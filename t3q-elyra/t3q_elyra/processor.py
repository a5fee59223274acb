"""T3qPipelineProcessor: Elyra's own KFP processor, compiled by t3q-compile.

Everything in process() and export() stays Elyra's code (authentication of
every auth type, the kfp client, namespace check, pipeline and version
upload, experiment, run, run URL, the COS upload of each node's dependency
archive). Only the three steps that turn the pipeline into a workflow are
replaced:
  _generate_pipeline_dsl  -> t3q-compile's YAML (and the archive upload
                             that Elyra does while generating its DSL)
  _generate_pipeline_conf -> nothing (t3q-compile has its own settings)
  _compile_pipeline_dsl   -> writes that YAML (as .yaml, or as the
                             .tar.gz/.zip package kfp's compiler writes)
"""
import copy
import io
import os
import tarfile
import time
import zipfile

from elyra.metadata.schemaspaces import Runtimes
from elyra.pipeline import pipeline_constants
from elyra.pipeline.kfp.kfp_processor import KfpPipelineProcessor
from elyra.pipeline.pipeline import GenericOperation
from elyra.pipeline.runtime_type import RuntimeProcessorType
from elyra.util.cos import join_paths

from t3q_elyra import compiler
from t3q_elyra import hooks


def _kfp_major() -> int:
    try:
        import kfp

        return int(str(kfp.__version__).split(".")[0])
    except Exception:
        return 1


class T3qPipelineProcessor(KfpPipelineProcessor):
    _type = RuntimeProcessorType.KUBEFLOW_PIPELINES
    _name = "t3q"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        hooks.install()

    def process(self, pipeline):
        if _kfp_major() >= 2:
            # Elyra 4.1 (kfp 2): its process() would submit through the kfp
            # 2 client, which runs v2 IR only. Refused before any upload.
            raise RuntimeError(
                "t3q emits Argo workflows (the KFP v1 format), and this Elyra uses the kfp 2 client, "
                "which cannot submit them. Export the pipeline instead (Export Pipeline, or "
                "'elyra-pipeline export --runtime-config NAME') and upload the YAML to Kubeflow "
                "Pipelines ('Upload pipeline' in its UI): KFP 1.8 and the KFP 2.x API servers accept it. "
                "Or run Elyra 4.0.x, whose kfp 1.8 client submits it."
            )
        return super().process(pipeline)

    def export(self, pipeline, pipeline_export_format, pipeline_export_path, overwrite):
        if pipeline_export_format != "yaml":
            raise RuntimeError(
                f"The t3q runtime exports only 'yaml' (t3q-compile's Argo workflow), "
                f"not '{pipeline_export_format}': there is no Python DSL for a t3q workflow."
            ) from ValueError(f"unsupported export format '{pipeline_export_format}'; use --format yaml")
        return super().export(pipeline, pipeline_export_format, pipeline_export_path, overwrite)

    def _generate_pipeline_dsl(self, pipeline, pipeline_name, workflow_engine=None, pipeline_instance_id=None, **kwargs):
        """Not a DSL here: t3q-compile's YAML, after the archive upload."""
        runtime_configuration = self._get_metadata_configuration(
            schemaspace=Runtimes.RUNTIMES_SCHEMASPACE_ID, name=pipeline.runtime_config
        )
        source = getattr(pipeline, "_t3q_source", None)
        if source is None:
            raise RuntimeError(
                "t3q: Elyra did not hand over the pipeline definition (the t3q_elyra hooks were not "
                "installed before the pipeline was parsed); please report this with your Elyra version."
            )
        # Where Elyra puts the archives and what the steps read: the same
        # directory as Elyra's own processor computes.
        cos_directory = join_paths(
            pipeline.pipeline_properties.get(pipeline_constants.COS_OBJECT_PREFIX), pipeline_instance_id
        )
        t0 = time.time()
        try:
            yaml_text, diagnostics, stderr = compiler.run(
                source, runtime_configuration.metadata, pipeline_name, self.root_dir, cos_directory=cos_directory
            )
        except compiler.CompilerNotFound:
            raise
        except compiler.CompileError as e:
            raise RuntimeError(str(e)) from None
        for d in diagnostics:
            if d.get("severity") != "error":
                self.log.warning(f"t3q-compile: {compiler.describe(d)}")
        for line in stderr.splitlines():
            if line.strip():
                self.log.warning(f"t3q-compile: {line}")
        if yaml_text is None:
            lines = "\n".join(compiler.describe(d) for d in diagnostics)
            raise RuntimeError(f"t3q-compile refused pipeline '{pipeline_name}':\n{lines}")
        self.log_pipeline_info(pipeline_name, "t3q-compile done", duration=time.time() - t0)
        self._upload_archives(pipeline, pipeline_name, runtime_configuration, cos_directory)
        return yaml_text

    def _upload_archives(self, pipeline, pipeline_name, runtime_configuration, cos_directory):
        """Elyra's own archive upload, through the upload endpoint if one is set."""
        operations = [op for op in pipeline.operations.values() if isinstance(op, GenericOperation)]
        if not operations:
            return
        upload_configuration = runtime_configuration
        upload_endpoint = runtime_configuration.metadata.get("cos_upload_endpoint")
        if upload_endpoint:
            upload_configuration = copy.deepcopy(runtime_configuration)
            upload_configuration.metadata["cos_endpoint"] = upload_endpoint
        self._verify_cos_connectivity(upload_configuration)
        for operation in operations:
            self._upload_dependencies_to_object_store(
                upload_configuration, pipeline_name, operation, prefix=cos_directory
            )

    def _generate_pipeline_conf(self, pipeline):
        return None

    def _compile_pipeline_dsl(self, dsl, workflow_engine, output_file, pipeline_conf):
        """Writes the YAML; a .tar.gz/.tgz/.zip holds it as pipeline.yaml, as kfp writes it."""
        data = dsl.encode("utf-8")
        tmp = f"{output_file}.t3q-tmp"
        try:
            os.makedirs(os.path.dirname(os.path.abspath(output_file)), exist_ok=True)
            if output_file.endswith((".tar.gz", ".tgz")):
                with tarfile.open(tmp, "w:gz") as tar:
                    info = tarfile.TarInfo("pipeline.yaml")
                    info.size = len(data)
                    info.mtime = int(time.time())
                    info.mode = 0o644
                    tar.addfile(info, io.BytesIO(data))
            elif output_file.endswith(".zip"):
                with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("pipeline.yaml", data)
            else:
                with open(tmp, "wb") as f:
                    f.write(data)
            os.replace(tmp, output_file)
        except OSError as e:
            raise RuntimeError(f"Cannot write '{output_file}': {e}") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
