"""Two small hooks into Elyra, installed once when Elyra loads t3q.

Elyra hands a processor its parsed Pipeline object, not the pipeline JSON
that t3q-compile reads, and its validation service has no extension point
for a runtime's own checks. So:
  - PipelineParser.parse keeps the definition it parsed on the Pipeline
    object (attribute _t3q_source), for T3qPipelineProcessor;
  - PipelineValidationManager.validate adds t3q-compile's diagnostics to
    Elyra's response when the runtime configuration is a t3q one (node id,
    node label, property and message, as Elyra's own issues carry them).
Both call Elyra's original first and change nothing for other runtimes.
"""
import collections
import copy
import json
import logging
import os

log = logging.getLogger("t3q_elyra")
SCHEMA_NAME = "t3q"
_installed = False

# Elyra's validation converts the definition in place (parameters and
# Elyra-owned properties become objects, pipeline defaults are pushed into
# the nodes), and Elyra then parses that same dict. So the definition is
# copied as it came, before validation, keyed by the dict's identity: the
# parse hook finds it there. The last few only.
_pristine = collections.OrderedDict()
_PRISTINE_MAX = 8


def _remember(pipeline_json) -> None:
    try:
        _pristine[id(pipeline_json)] = (pipeline_json, copy.deepcopy(pipeline_json))
    except Exception:
        return
    _pristine.move_to_end(id(pipeline_json))
    while len(_pristine) > _PRISTINE_MAX:
        _pristine.popitem(last=False)


class Source:
    """What t3q-compile reads: the user's file as it is (under the CLI), or
    the definition Elyra received (the server's payload)."""

    def __init__(self, definition=None, data=None, base_dir=None):
        self.definition = definition  # a dict, JSON as received
        self.data = data  # bytes of the pipeline file
        self.base_dir = base_dir  # node files are relative to it


def _cli_source():
    """Under elyra-pipeline: the pipeline file itself, byte for byte.

    The CLI's PipelineDefinition has converted the definition already when
    it reads the file, so t3q-compile gets the file, and its diagnostics
    name the user's lines. Node files are relative to its directory, as the
    CLI resolves them; it names the pipeline after the file's stem, as
    t3q-compile does.
    """
    try:
        import click

        ctx = click.get_current_context(silent=True)
    except Exception:
        return None
    if ctx is None or not ctx.params.get("pipeline_path"):
        return None
    path = os.path.join(os.getcwd(), os.path.expanduser(str(ctx.params["pipeline_path"])))
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    return Source(data=data, base_dir=os.path.dirname(path))


def pristine(pipeline_json) -> Source:
    """The pipeline as it was before Elyra's validation touched it."""
    cli = _cli_source()
    if cli is not None:
        return cli
    entry = _pristine.get(id(pipeline_json))
    if entry is not None and entry[0] is pipeline_json:
        return Source(definition=copy.deepcopy(entry[1]))
    return Source(definition=copy.deepcopy(pipeline_json))


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    _hook_parser()
    _hook_validation()


def _hook_parser() -> None:
    from elyra.pipeline.parser import PipelineParser

    original = PipelineParser.parse

    def parse(self, pipeline_json):
        pipeline = original(self, pipeline_json)
        try:
            pipeline._t3q_source = pristine(pipeline_json)
        except Exception:  # never break Elyra's own parsing
            pass
        return pipeline

    parse.__wrapped__ = original
    PipelineParser.parse = parse


def t3q_runtime_metadata(pipeline_json):
    """The t3q runtime configuration the pipeline names, else None."""
    from elyra.metadata.manager import MetadataManager
    from elyra.metadata.schemaspaces import Runtimes
    try:
        # Not through PipelineDefinition, which converts the dict in place.
        name = None
        for p in pipeline_json.get("pipelines") or []:
            if p.get("id") == pipeline_json.get("primary_pipeline"):
                name = (p.get("app_data") or {}).get("runtime_config")
        if not name:
            return None
        instance = MetadataManager(schemaspace=Runtimes.RUNTIMES_SCHEMASPACE_ID).get(name)
    except Exception:
        return None
    return instance if instance.schema_name == SCHEMA_NAME else None


def add_diagnostics(response, pipeline_json, source, instance, root_dir) -> None:
    from elyra.pipeline.validation import ValidationSeverity

    from t3q_elyra import compiler

    try:
        primary = pipeline_json.get("primary_pipeline")
        name = None
        for p in pipeline_json.get("pipelines") or []:
            if p.get("id") == primary:
                name = (p.get("app_data") or {}).get("name")
        _, diagnostics, _ = compiler.run(source, instance.metadata, name or "pipeline", root_dir, want_yaml=False)
    except compiler.CompilerNotFound as e:
        response.add_message(message=str(e), message_type="t3qCompiler", severity=ValidationSeverity.Error)
        return
    except Exception as e:  # a usage error of ours: still a message, not a traceback
        response.add_message(message=f"t3q-compile: {e}", message_type="t3qCompiler", severity=ValidationSeverity.Error)
        return
    for d in diagnostics:
        data = {"pipelineId": primary}
        if d.get("node_id"):
            data["nodeID"] = d["node_id"]
        if d.get("node_label"):
            data["nodeName"] = d["node_label"]
        if d.get("field"):
            data["propertyName"] = d["field"]
        message = d.get("message", "")
        if d.get("line"):
            message += f" (line {d['line']}, column {d.get('column')})"
        response.add_message(
            message=f"t3q: {message}",
            message_type="t3qCompile",
            data=data,
            severity=ValidationSeverity.Error if d.get("severity") == "error" else ValidationSeverity.Warning,
        )


def _hook_validation() -> None:
    from elyra.pipeline.validation import PipelineValidationManager

    original = PipelineValidationManager.validate

    async def validate(self, pipeline):
        _remember(pipeline)
        source = pristine(pipeline)
        # Elyra's request names the runtime configuration (the CLI sets it
        # from --runtime-config), not necessarily the file.
        instance = t3q_runtime_metadata(pipeline)
        response = await original(self, pipeline)
        if instance is not None:
            add_diagnostics(response, pipeline, source, instance, self.root_dir)
        return response

    validate.__wrapped__ = original
    PipelineValidationManager.validate = validate
