#!/usr/bin/env python3
"""Run a notebook headless against one or more truce run folders.

    python notebooks/execute.py notebooks/scenario_report.ipynb output/endgame [RUN_DIR ...]

The run folders are passed to the notebook as TRUCE_RUNS (colon-separated, made absolute first),
and the notebook runs with its own folder as the working directory. The kernel is the Python that
runs this script, so installing notebooks/requirements.txt into a venv and calling this script
with that venv's python is all it takes: no Jupyter install or registered kernel is needed.

Nothing is written into the repository. The executed copy, with its outputs, is saved only when
--out is given. Exit status: 0 when every cell ran, 1 when a cell failed (its error is printed),
2 for bad arguments.

A RunFolderError (truce_runs.py: a run folder that is missing, damaged or incomplete) is printed
as its message alone, one line naming the file and what is wrong with it: its traceback would only
show the loader's insides.
"""

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
import zmq
from ipykernel.kernelspec import write_kernel_spec as write_ipykernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets import default

KERNEL_NAME = "python3"
# Errors whose message says everything: printed without the cell's source and traceback.
CLEAN_ERRORS = {"RunFolderError"}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Filled in by main(): the folder holding the private kernel spec.
_KERNEL_DIRS: list = []


class ThisPythonKernelManager(AsyncKernelManager):
    """Kernel manager that only sees the `python3` spec written for this interpreter, so a
    kernel spec installed elsewhere on the machine (another Python, another venv) is never used."""

    @default("kernel_spec_manager")
    def _private_kernel_specs(self):
        return KernelSpecManager(parent=self, kernel_dirs=list(_KERNEL_DIRS),
                                 ensure_native_kernel=False)

    @default("transport_encryption")
    def _encrypt_when_possible(self):
        # ipykernel warns on every start when its local TCP sockets are unencrypted.
        return "auto" if zmq.has("curve") else "disabled"


def write_kernel_spec(root: Path) -> Path:
    """Register a `python3` kernel spec under root that starts ipykernel in this very
    interpreter (sys.executable), and return the folder to search for kernel specs."""
    kernels = root / "kernels"
    kernels.mkdir(parents=True)
    write_ipykernel_spec(kernels / KERNEL_NAME)
    return kernels


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Execute a notebook headless against truce run folders.",
        epilog="example: python notebooks/execute.py notebooks/scenario_report.ipynb "
               "output/endgame output/fight_and_talk --out /tmp/report.ipynb")
    parser.add_argument("notebook", type=Path, help="the .ipynb file to execute")
    parser.add_argument("run_dirs", nargs="*", type=Path, metavar="RUN_DIR",
                        help="run folders written by `truce run` (passed as TRUCE_RUNS); "
                             "none: the notebook's own default list")
    parser.add_argument("--out", type=Path,
                        help="save the executed notebook (with outputs) here; "
                             "without it nothing is saved")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds allowed per cell (default: 300)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    notebook = args.notebook.resolve()
    if not notebook.is_file():
        print(f"execute.py: notebook {args.notebook} not found", file=sys.stderr)
        return 2
    run_dirs = [d.resolve() for d in args.run_dirs]
    for given, d in zip(args.run_dirs, run_dirs):
        if not d.is_dir():
            print(f"execute.py: run folder {given} not found", file=sys.stderr)
            return 2
        if ":" in str(d):
            print(f"execute.py: run folder {d} contains ':', which TRUCE_RUNS cannot carry",
                  file=sys.stderr)
            return 2
    out = args.out.resolve() if args.out else None

    nb = nbformat.read(notebook, as_version=4)

    with tempfile.TemporaryDirectory(prefix="truce-nb-") as scratch:
        scratch = Path(scratch)
        _KERNEL_DIRS[:] = [str(write_kernel_spec(scratch / "jupyter"))]
        # The kernel inherits this environment. Keep IPython's profile and Jupyter's connection
        # files in the scratch folder, so a run touches neither the repo nor the user's home.
        if run_dirs:
            os.environ["TRUCE_RUNS"] = ":".join(str(d) for d in run_dirs)
        os.environ["IPYTHONDIR"] = str(scratch / "ipython")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(scratch / "runtime")
        os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
        os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets a debugpy warning
        # The notebooks import truce_runs.py from their folder: leave no __pycache__ there.
        os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")

        client = NotebookClient(
            nb,
            timeout=args.timeout,
            kernel_name=KERNEL_NAME,
            kernel_manager_class=ThisPythonKernelManager,
            resources={"metadata": {"path": str(notebook.parent)}},
        )
        current = {"index": None}

        def on_cell_start(cell, cell_index, **_):
            current["index"] = cell_index

        client.on_cell_start = on_cell_start

        def where():
            i = current["index"]
            return "before the first cell" if i is None else f"in cell {i + 1} of {len(nb.cells)}"

        failure = None  # (full report, one-line summary)
        try:
            client.execute()
        except CellExecutionError as err:
            summary = f"error {where()}: {err.ename}: {ANSI.sub('', str(err.evalue))}"
            failure = (None if err.ename in CLEAN_ERRORS else ANSI.sub("", str(err)), summary)
        except CellTimeoutError as err:
            failure = (ANSI.sub("", str(err)), f"timeout ({args.timeout} s) {where()}")
        except DeadKernelError as err:
            failure = (str(err), f"the kernel died {where()}")
        except Exception as err:  # kernel could not start, bad notebook JSON, ...
            failure = (repr(err), f"{type(err).__name__} {where()}: {err}")

    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out)
        print(f"executed notebook written to {out}")
    if failure:
        report, summary = failure
        if report:
            print(report, file=sys.stderr)
        print(f"execute.py: {notebook.name} failed: {summary}", file=sys.stderr)
        return 1
    print(f"{notebook.name}: all {sum(c.cell_type == 'code' for c in nb.cells)} code cells ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
