"""Runs t3q-compile on a pipeline definition that Elyra handed over.

The compiler is the binary bundled in the wheel (t3q_elyra/bin/t3q-compile)
if present, else 't3q-compile' on PATH. Diagnostics come back as data
(t3q-compile --format json), never as a traceback.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
from typing import Dict
from typing import List
from typing import Optional

BUNDLED = os.path.join(os.path.dirname(__file__), "bin", "t3q-compile")

# How long t3q-compile may take, in seconds: it runs inside the Jupyter
# server, so a definition that never ends loading, or a url-catalog that
# never answers, must not hang the user's request. T3Q_ELYRA_COMPILE_TIMEOUT
# overrides it.
COMPILE_TIMEOUT = 120


def _compile_timeout() -> float:
    try:
        t = float(os.environ.get("T3Q_ELYRA_COMPILE_TIMEOUT", COMPILE_TIMEOUT))
    except ValueError:
        t = COMPILE_TIMEOUT
    return t if t > 0 else COMPILE_TIMEOUT


# The runtime metadata that t3q-compile's --runtime-config reads.
COS_FIELDS = ("engine", "cos_endpoint", "cos_bucket", "cos_auth_type", "cos_secret", "cos_username", "cos_password")


class CompilerNotFound(RuntimeError):
    pass


class CompileError(RuntimeError):
    """t3q-compile refused the pipeline; .diagnostics holds its messages."""

    def __init__(self, message: str, diagnostics: List[Dict]):
        super().__init__(message)
        self.diagnostics = diagnostics


def locate() -> str:
    if os.path.isfile(BUNDLED) and os.access(BUNDLED, os.X_OK):
        return BUNDLED
    found = shutil.which("t3q-compile")
    if found:
        return found
    raise CompilerNotFound(
        "t3q-compile was not found: it is neither bundled in this t3q-elyra "
        f"package ({BUNDLED}) nor on PATH. Install the t3q-elyra wheel that "
        "bundles it, or put t3q-compile on the PATH of the Jupyter server."
    )


def _relative_filenames(definition: Dict, root_dir: str) -> Dict:
    """Node files as Elyra resolves them: relative to its root dir.

    The elyra-pipeline CLI makes them absolute (pipeline dir + name); the
    server gets them relative to its root. Both become root-relative, which
    is what the archives and the steps' --file use.
    """
    definition = copy.deepcopy(definition)
    root = os.path.realpath(root_dir)
    for pipeline in definition.get("pipelines") or []:
        for node in pipeline.get("nodes") or []:
            params = (node.get("app_data") or {}).get("component_parameters")
            if not isinstance(params, dict):
                continue
            filename = params.get("filename")
            if isinstance(filename, str) and os.path.isabs(filename):
                real = os.path.realpath(filename)
                if real == root or real.startswith(root.rstrip("/") + "/"):
                    params["filename"] = os.path.relpath(real, root)
    return definition


def _file_stem(name: str) -> str:
    stem = re.sub(r"[/\x00]", "_", name or "pipeline").strip() or "pipeline"
    return stem if stem not in (".", "..") else "pipeline"


def target(metadata: Dict) -> str:
    """The runtime's target; unset, the one this Elyra's kfp client submits:
    kfp-v2 under the kfp 2 client (Elyra 4.1), else kfp-v1 (Elyra 4.0)."""
    if metadata.get("target"):
        return metadata["target"]
    try:
        import kfp

        return "kfp-v2" if int(str(kfp.__version__).split(".")[0]) >= 2 else "kfp-v1"
    except Exception:
        return "kfp-v1"


def settings_args(metadata: Dict) -> List[str]:
    """t3q-compile flags from the t3q fields of a runtime configuration."""
    args = ["--target", target(metadata)]
    if metadata.get("bootstrap_mode") == "in-image":
        args.append("--bootstrap=in-image")
        if metadata.get("bootstrap_path"):
            args += ["--bootstrap-path", metadata["bootstrap_path"]]
    elif metadata.get("bootstrap_image"):
        args += ["--bootstrap-image", metadata["bootstrap_image"]]
    if metadata.get("data_passing") == "object-store":
        args.append("--data-passing=cos")
    return args


def _custom_ops(doc) -> List[str]:
    """The ops of the custom nodes (KFP components) of a pipeline document."""
    ops = set()
    for pl in doc.get("pipelines", []) if isinstance(doc, dict) else []:
        for n in pl.get("nodes", []) if isinstance(pl, dict) else []:
            op = n.get("op") if isinstance(n, dict) else None
            if n.get("type") == "execution_node" and isinstance(op, str) and ":" in op:
                ops.add(op)
    return sorted(ops)


def component_args(doc, tmp: str) -> List[str]:
    """--component OP=FILE for every custom node whose definition Elyra's own
    component cache holds: every catalog Elyra reads (its connectors
    included, which t3q-compile cannot read) reaches t3q-compile as the very
    text Elyra would compile. Nothing when Elyra's catalog code is absent."""
    try:
        from elyra.pipeline.component_catalog import ComponentCache
        from elyra.pipeline.runtime_type import RuntimeProcessorType
    except Exception:
        return []
    args = []
    for i, op in enumerate(_custom_ops(doc)):
        try:
            component = ComponentCache.instance().get_component(RuntimeProcessorType.KUBEFLOW_PIPELINES, op)
        except Exception:
            component = None
        definition = getattr(component, "definition", None)
        if not definition:
            continue  # t3q-compile reads it itself, or says it is missing
        path = os.path.join(tmp, "component-%d.yaml" % i)
        with open(path, "w") as f:
            f.write(definition)
        args += ["--component", "%s=%s" % (op, path)]
    return args


def run(
    source,
    metadata: Dict,
    pipeline_name: str,
    root_dir: str,
    cos_directory: Optional[str] = None,
    want_yaml: bool = True,
):
    """Compiles; returns (yaml_text or None, diagnostics, stderr_text).

    Raises CompilerNotFound, or CompileError when t3q-compile fails in a way
    that is not a list of diagnostics (usage errors).
    """
    compiler = locate()
    with tempfile.TemporaryDirectory(prefix="t3q-elyra.") as tmp:
        os.chmod(tmp, 0o700)
        pipeline_file = os.path.join(tmp, _file_stem(pipeline_name) + ".pipeline")
        if source.data is not None:
            base_dir = source.base_dir or root_dir
            with open(pipeline_file, "wb") as f:
                f.write(source.data)
        else:
            base_dir = root_dir
            with open(pipeline_file, "w") as f:
                json.dump(_relative_filenames(source.definition, root_dir), f, indent=2)
        rc_file = os.path.join(tmp, "runtime-config.json")
        fd = os.open(rc_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"schema_name": "t3q", "metadata": {k: metadata[k] for k in COS_FIELDS if metadata.get(k)}}, f)
        out = os.path.join(tmp, "out.yaml")
        argv = [
            compiler,
            pipeline_file,
            "--runtime-config",
            rc_file,
            "--base-dir",
            os.path.realpath(base_dir),
            "--format",
            "json",
            "-o",
            out if want_yaml else os.devnull,
        ]
        if cos_directory:
            argv += ["--cos-directory", cos_directory]
        argv += settings_args(metadata)
        try:
            doc = json.loads(source.data) if source.data is not None else source.definition
        except ValueError:
            doc = None  # t3q-compile says what is wrong with it
        argv += component_args(doc, tmp)
        timeout = _compile_timeout()
        try:
            proc = subprocess.run(
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp, timeout=timeout
            )
        except subprocess.TimeoutExpired:  # run() has killed it
            raise CompileError(
                f"t3q-compile did not finish within {timeout:g} s and was stopped. A custom component's "
                "definition may be too large to load, or a url-catalog server may not answer: check the "
                "pipeline's components (T3Q_ELYRA_COMPILE_TIMEOUT sets the limit).",
                [],
            ) from None
        try:
            diagnostics = json.loads(proc.stdout) if proc.stdout.strip() else []
        except ValueError:
            diagnostics = []
        # The temp file is no place the user knows: name the pipeline instead.
        for d in diagnostics:
            d.pop("file", None)
        stderr = proc.stderr.replace(pipeline_file, _file_stem(pipeline_name) + ".pipeline")
        if proc.returncode == 1 and diagnostics:
            return None, diagnostics, stderr
        if proc.returncode != 0:
            raise CompileError(
                f"t3q-compile failed (exit {proc.returncode}): {stderr.strip() or proc.stdout.strip()}", diagnostics
            )
        yaml_text = None
        if want_yaml:
            with open(out) as f:
                yaml_text = f.read()
        return yaml_text, diagnostics, stderr


def describe(d: Dict) -> str:
    """One diagnostic as one line, like t3q-compile's text format."""
    where = ""
    if d.get("node_id"):
        where = f"node '{d.get('node_label', '')}' ({d['node_id']}): "
    if d.get("field"):
        where += f"{d['field']}: "
    at = f" (line {d['line']}, column {d['column']})" if d.get("line") else ""
    return f"{d.get('severity', 'error')}: {where}{d.get('message', '')}{at}"
