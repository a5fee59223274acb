"""t3q notebook runner, embedded in t3q-bootstrap and run with the image's Python.

usage: python -u nbrun.py NOTEBOOK OUTPUT_IPYNB [--html OUTPUT_HTML] [--kernel NAME]

Executes NOTEBOOK in the current directory, writes the executed notebook to
OUTPUT_IPYNB, and copies every cell output to stdout/stderr the moment the kernel
sends it: t3q-bootstrap streams those pipes live to the container log.

Exit codes: 0 ok, 1 a cell failed, 2 runner misuse/internal error,
3 Jupyter stack or kernel missing, 4 notebook unreadable.
"""
import argparse
import logging
import os
import re
import signal
import sys

INSTALL_HINT = ("install nbclient and ipykernel in the image "
                "(Debian: python3-nbclient python3-ipykernel; pip: nbclient ipykernel)")
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def err(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def emit(kind, content):
    """Write one output (kernel message content or nbformat output) to our pipes."""
    if kind == "stream":
        out = sys.stderr if content.get("name") == "stderr" else sys.stdout
        text = content.get("text", "")
    elif kind in ("execute_result", "display_data"):
        text = content.get("data", {}).get("text/plain")
        if text is None:  # rich-only output (image, html): nothing sensible for a log
            return
        out, text = sys.stdout, "".join(text) + "\n"
    elif kind == "error":
        # IPython colours tracebacks for terminals; the log is a plain file.
        out = sys.stderr
        text = ANSI.sub("", "\n".join(content.get("traceback", []))) + "\n"
    else:
        return
    out.write("".join(text))
    out.flush()


def find_best_kernel(nb, requested):
    """Same choice as Elyra's bootstrapper find_best_kernel()."""
    if requested:
        return requested
    kspec = nb.metadata.get("kernelspec") or {}
    name = kspec.get("name")
    if not name:
        return "python3"
    lang = kspec.get("language") or (nb.metadata.get("language_info") or {}).get("name")
    from jupyter_client.kernelspec import KernelSpecManager
    ksm = KernelSpecManager()
    specs = ksm.find_kernel_specs()
    if name in specs:
        return name
    for cand in specs:
        try:
            cand_lang = ksm.get_kernel_spec(cand).language
        except Exception:  # a broken kernelspec must not stop the search
            continue
        if lang and cand_lang and cand_lang.lower() == lang.lower():
            err(f"Matched kernel by language ({lang}), using kernel '{cand}' "
                f"instead of the missing kernel '{name}'.")
            return cand
    err(f"Reverting back to missing notebook kernel '{name}' since no language "
        f"match ({lang}) was found in current kernel specifications.")
    return name


class Terminated(BaseException):
    """SIGTERM (docker stop, step timeout); BaseException so no handler eats it."""


def on_sigterm(*_):
    # Unwinding out of a running asyncio loop leaves nbclient's poll tasks
    # pending; asyncio would log them at exit, which is noise here.
    logging.getLogger("asyncio").disabled = True
    raise Terminated()


def run_papermill(papermill, args, kernel, state):
    from papermill.clientwrap import PapermillNotebookClient
    # papermill's own log_output_message writes only stream outputs to the files;
    # it sends results/displays to a logger nobody configured, mirrors stderr
    # streams into logging.warning (printed twice) and never streams tracebacks.
    # Route every output through emit() so both runners produce the same log.
    state["patched"] = hasattr(PapermillNotebookClient, "log_output_message")
    # nbclient >= 0.6 calls on_cell_execute just before a code cell is sent to
    # the kernel; knowing the cell tells "kernel never came up" from "cell broke".
    hooks = {}
    if PapermillNotebookClient.class_traits().get("on_cell_execute") is not None:
        hooks["on_cell_execute"] = lambda cell, cell_index, **_: state.update(cell=cell_index)
    if state["patched"]:
        PapermillNotebookClient.log_output_message = lambda self, output: emit(
            output.get("output_type"), output)
    papermill.execute_notebook(
        args.notebook, args.output, kernel_name=kernel, log_output=True,
        stdout_file=sys.stdout, stderr_file=sys.stderr,
        progress_bar=False,  # tqdm's \r-redrawn bar would only litter the log
        start_timeout=60, **hooks)


def run_nbclient(nbclient, nbformat, nb, args, kernel, state):
    class LiveClient(nbclient.NotebookClient):
        # output() is called once per iopub output message while the cell is
        # still running, unlike on_cell_executed which fires when it is done.
        def output(self, outs, msg, display_id, cell_index):
            emit(msg["msg_type"], msg["content"])
            return super().output(outs, msg, display_id, cell_index)

    # Like papermill: stale outputs from the author's session must not look as
    # if they came from this run when a failure stops execution early.
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = LiveClient(nb, kernel_name=kernel, timeout=None, startup_timeout=60)
    try:
        # The cell loop of NotebookClient.execute(), spelled out as papermill
        # does: execute() installs asyncio SIGTERM handlers that race our own,
        # and we want to know which cell was running when something breaks.
        with client.setup_kernel():
            info = client.wait_for_reply(client.kc.kernel_info())
            nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(nb.cells):
                state["cell"] = index
                client.execute_cell(cell, index)
            client.set_widgets_metadata()
    finally:
        nbformat.write(nb, args.output)


# A kernel that dies before its first cell is started again, with new
# ports: jupyter_client picks free ports and the kernel binds them later,
# and another kernel on the machine can take one in between ("ZMQError:
# Address already in use"; t3q-run runs notebook nodes side by side, and
# 1 kernel in 12 failed so with six runs of two at once). A kernel that
# is broken fails every try, and the error is the last try's.
KERNEL_START_TRIES = 3


def run_notebook(papermill, nbclient, nbformat, nb, args, kernel, state):
    for attempt in range(1, KERNEL_START_TRIES + 1):
        try:
            if papermill is not None:
                run_papermill(papermill, args, kernel, state)
            else:
                run_nbclient(nbclient, nbformat, nb, args, kernel, state)
            return
        except (RuntimeError, TimeoutError, OSError) as exc:
            if state["cell"] is not None or attempt == KERNEL_START_TRIES:
                raise
            err(f"t3q: kernel '{kernel}' did not start ({type(exc).__name__}: "
                f"{exc}); starting it again (try {attempt + 1} of {KERNEL_START_TRIES})")


def classify_failure(exc, kernel, state):
    """Map an execution exception to an exit code, printing the summary line."""
    ename = getattr(exc, "ename", None)  # CellExecutionError, PapermillExecutionError
    if ename is not None:
        if ename == "SystemExit" and str(exc.evalue) in ("", "0"):
            return 0  # sys.exit(0) ends a notebook successfully (papermill agrees)
        if not state.get("patched", True) and getattr(exc, "traceback", None):
            emit("error", {"traceback": exc.traceback})  # old papermill: not shown yet
        idx = getattr(exc, "cell_index", state["cell"])
        err(f"t3q: cell {idx} failed: {ename}: {exc.evalue}")
        return 1
    if state["cell"] is not None or type(exc).__name__ == "DeadKernelError":
        idx = "?" if state["cell"] is None else state["cell"]
        err(f"t3q: cell {idx} failed: {type(exc).__name__}: {exc}")
        return 1
    from jupyter_client.kernelspec import NoSuchKernel, find_kernel_specs
    if isinstance(exc, (NoSuchKernel, RuntimeError, TimeoutError, OSError)):
        installed = ", ".join(sorted(find_kernel_specs())) or "none"
        err(f"t3q: cannot start kernel '{kernel}' ({type(exc).__name__}: {exc}); "
            f"installed kernels: {installed}.\n"
            f"t3q: {INSTALL_HINT}, or install the kernel '{kernel}' itself.")
        return 3
    raise exc


def write_html(ipynb, html):
    try:
        import nbconvert
    except ImportError:
        err(f"t3q: nbconvert is not installed in the image; {html} not written")
        return
    try:
        body, _ = nbconvert.HTMLExporter().from_filename(ipynb)
        with open(html, "w", encoding="utf-8") as f:
            f.write(body)
    except Exception as exc:  # the run's own result matters more than the report
        err(f"t3q: HTML conversion of {ipynb} failed: {type(exc).__name__}: {exc}")


def main(argv):
    ap = argparse.ArgumentParser(prog="nbrun.py")
    ap.add_argument("notebook")
    ap.add_argument("output")
    ap.add_argument("--html")
    ap.add_argument("--kernel")
    args = ap.parse_args(argv)

    # Notebook output is arbitrary Unicode; never let a C/latin-1 locale turn a
    # print into an UnicodeEncodeError that kills the run.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    # debugpy (loaded by ipykernel) warns about frozen modules on Python 3.11+.
    # The kernel inherits os.environ, which also carries the pipeline parameters.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

    try:
        import nbformat
    except ImportError as exc:
        err(f"t3q: the Jupyter stack is missing ({exc}); {INSTALL_HINT}")
        return 3
    try:
        import papermill
    except ImportError:
        papermill = None
    try:
        import nbclient
    except ImportError:
        if papermill is None:
            err(f"t3q: neither papermill nor nbclient is importable; {INSTALL_HINT}")
            return 3

    try:
        nb = nbformat.read(args.notebook, as_version=4)  # also validates the schema
    except Exception as exc:
        err(f"t3q: cannot read notebook {args.notebook}: {type(exc).__name__}: {exc}")
        return 4

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    kernel = find_best_kernel(nb, args.kernel)
    state = {"cell": None}
    # From here on a kernel may run: unwind on `docker stop`/timeout kills so
    # finally blocks still write the partial notebook and shut the kernel down.
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        run_notebook(papermill, nbclient, nbformat, nb, args, kernel, state)
        rc = 0
    except Exception as exc:
        rc = classify_failure(exc, kernel, state)
    except Terminated:
        err(f"t3q: terminated by SIGTERM while running cell {state['cell']}")
        rc = 128 + signal.SIGTERM
    finally:
        sys.stdout.flush()
        if args.html and os.path.exists(args.output):
            write_html(args.output, args.html)
    return rc


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:
        import traceback
        traceback.print_exc()
        err("t3q: internal error in nbrun.py")
        sys.exit(2)
