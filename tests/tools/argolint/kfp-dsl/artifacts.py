"""Files passed between steps as Argo artifacts (InputPath/OutputPath), the
KFP metrics and UI metadata outputs, and a loop. Compiled by the kfp 1.8.22
SDK (tests/tools/argolint/check.sh)."""
import sys

from kfp import compiler, dsl
from kfp.components import InputPath, OutputPath, create_component_from_func


def produce(lines: int, data_path: OutputPath("CSV")):
    with open(data_path, "w") as f:
        for i in range(lines):
            f.write(f"{i},{i * i}\n")


def consume(data_path: InputPath("CSV"), mlpipeline_metrics_path: OutputPath("Metrics"),
            mlpipeline_ui_metadata_path: OutputPath()):
    import json
    with open(data_path) as f:
        rows = f.read().splitlines()
    with open(mlpipeline_metrics_path, "w") as f:
        json.dump({"metrics": [{"name": "rows", "numberValue": len(rows)}]}, f)
    with open(mlpipeline_ui_metadata_path, "w") as f:
        json.dump({"outputs": [{"type": "markdown", "storage": "inline",
                                "source": f"{len(rows)} rows"}]}, f)


produce_op = create_component_from_func(produce, base_image="python:3.11")
consume_op = create_component_from_func(consume, base_image="python:3.11")


@dsl.pipeline(name="t3q artifacts", description="files between steps")
def pipeline(lines: int = 10):
    p = produce_op(lines)
    consume_op(p.outputs["data"])
    with dsl.ParallelFor([1, 2, 3]) as n:
        q = produce_op(n)
        consume_op(q.outputs["data"])


if __name__ == "__main__":
    compiler.Compiler().compile(pipeline, sys.argv[1])
