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
The YAML is the runtime's target (compiler.target): an Argo workflow
(kfp-v1) or pipeline IR (kfp-v2), whichever client submits it: Elyra 4.0's
kfp 1.8 client (v1beta1 API) or Elyra 4.1's kfp 2 client (v2beta1 API).
Two fixes around Elyra's process(), both for KFP 2.x servers:
  - Elyra 4.0 runs the first version of a new pipeline by the pipeline's
    id, which is also that version's id on KFP 1.8 only; a 2.x server
    answers "PipelineVersion <id> not found". The kfp 1.8 client used by
    a t3q submission asks the server for the pipeline's real version id.
  - a 2.x server that blocks v1 pipelines refuses the run with a 400: the
    message then says to switch the runtime's target to kfp-v2.
"""
import copy
import io
import json
import os
import tarfile
import threading
import time
import zipfile
from concurrent.futures import FIRST_EXCEPTION
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait

from elyra.metadata.schemaspaces import Runtimes
from elyra.pipeline import pipeline_constants
from elyra.pipeline.kfp.kfp_processor import KfpPipelineProcessor
from elyra.pipeline.pipeline import GenericOperation
from elyra.pipeline.runtime_type import RuntimeProcessorType
from elyra.util.cos import join_paths

from t3q_elyra import compiler
from t3q_elyra import hooks


# Set while a t3q submission runs in this thread: the client fix below
# applies to t3q's submissions only, not to Elyra's own kfp runtime.
_submitting = threading.local()
BLOCKED_V1 = "not allowed to run v1 pipelines"
# Archives uploaded at once. Each is Elyra's own upload of one node (its
# archive, a new COS client with its bucket check, the PUT): about 25 ms of
# round trips, one after another 1.2 of a 50-node Run's 4.2 s (bench/run
# --only submit); round trips overlap.
UPLOAD_THREADS = 8


def _install_version_fix() -> None:
    """Elyra 4.0 (kfp 1.8): run a new pipeline's first version by its id.

    Elyra 4.0 passes the pipeline id as the first version's id. On KFP 1.8
    they are equal; on 2.x the version has an id of its own. When a t3q
    submission runs a version id equal to its pipeline id, the version id
    becomes the one the server gives as the pipeline's default (= only)
    version, which is that same id on 1.8.
    """
    try:
        from elyra.pipeline.kfp import kfp_processor as elyra_kfp
    except Exception:
        return
    client_class = getattr(elyra_kfp, "ArgoClient", None)
    if client_class is None or getattr(client_class, "_t3q_version_fix", False):
        return
    if not hasattr(client_class, "get_pipeline") or "version_id" not in client_class.run_pipeline.__code__.co_varnames:
        return
    original = client_class.run_pipeline

    def run_pipeline(self, *args, **kwargs):
        pipeline_id, version_id = kwargs.get("pipeline_id"), kwargs.get("version_id")
        if getattr(_submitting, "on", False) and pipeline_id and version_id == pipeline_id:
            default = getattr(self.get_pipeline(pipeline_id), "default_version", None)
            if getattr(default, "id", None):
                kwargs["version_id"] = default.id
        return original(self, *args, **kwargs)

    client_class.run_pipeline = run_pipeline
    client_class._t3q_version_fix = True


def _blocked_v1(error: BaseException) -> bool:
    seen = 0
    while error is not None and seen < 8:
        if BLOCKED_V1 in str(error) or BLOCKED_V1 in str(getattr(error, "body", "") or ""):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _server_message(error: BaseException) -> str:
    while error is not None:
        body = getattr(error, "body", None)
        if body and BLOCKED_V1 in str(body):
            try:
                return json.loads(body).get("message") or str(body)
            except (ValueError, AttributeError):
                return str(body)
        if BLOCKED_V1 in str(error) and error.__cause__ is None:
            return str(error)
        error = error.__cause__ or error.__context__
    return "v1 pipelines are blocked"


class T3qPipelineProcessor(KfpPipelineProcessor):
    _type = RuntimeProcessorType.KUBEFLOW_PIPELINES
    _name = "t3q"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        hooks.install()
        _install_version_fix()

    def process(self, pipeline):
        _submitting.on = True
        try:
            return super().process(pipeline)
        except RuntimeError as e:
            if not _blocked_v1(e):
                raise
            # Elyra's CLI prints the cause under the message: say what the
            # server said there (not "None").
            raise RuntimeError(
                f"The Kubeflow Pipelines server refuses to run v1 pipelines (Argo workflows, the runtime's "
                f"target kfp-v1). Set the target of runtime configuration '{pipeline.runtime_config}' to "
                "kfp-v2 (pipeline IR; the runtime images must hold t3q-bootstrap, see t3q's docs/guide.md, "
                "'KFP v2: --target kfp-v2'): in the Runtimes panel, or with 'elyra-metadata update runtimes "
                f"--schema_name=t3q --name={pipeline.runtime_config} --target=kfp-v2', and run again."
            ) from RuntimeError(f"the server said: {_server_message(e)}")
        finally:
            _submitting.on = False

    def export(self, pipeline, pipeline_export_format, pipeline_export_path, overwrite):
        if pipeline_export_format != "yaml":
            raise RuntimeError(
                f"The t3q runtime exports only 'yaml' (t3q-compile's Argo workflow or pipeline IR), "
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
            errors = sum(1 for d in diagnostics if d.get("severity") == "error")
            # A cause, as Elyra's own errors have: its CLI prints it below.
            raise RuntimeError(f"t3q-compile refused pipeline '{pipeline_name}':\n{lines}") from ValueError(
                f"{errors} error(s) in the pipeline; fix them and run again"
            )
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
        with ThreadPoolExecutor(max_workers=min(UPLOAD_THREADS, len(operations))) as pool:
            futures = [
                pool.submit(
                    self._upload_dependencies_to_object_store,
                    upload_configuration,
                    pipeline_name,
                    operation,
                    prefix=cos_directory,
                )
                for operation in operations
            ]
            # After a failure nothing more starts, as in Elyra's loop.
            wait(futures, return_when=FIRST_EXCEPTION)
            for f in futures:
                f.cancel()
        # The first failed node in the pipeline's order raises Elyra's error.
        for f in futures:
            if not f.cancelled():
                f.result()

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
