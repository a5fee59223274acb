"""Run parameters and output parameters between lightweight Python
components. Compiled by the kfp 1.8.22 SDK (tests/tools/argolint/check.sh)."""
import sys

from kfp import compiler, dsl
from kfp.components import create_component_from_func


def add(a: float, b: float) -> float:
    return a + b


def describe(value: float, label: str) -> str:
    text = f"{label}: {value}"
    print(text)
    return text


add_op = create_component_from_func(add, base_image="python:3.11")
describe_op = create_component_from_func(describe, base_image="python:3.11")


@dsl.pipeline(name="t3q parameters", description="run parameters in, outputs along")
def pipeline(a: float = 1.5, b: float = 2.0, label: str = "sum"):
    s = add_op(a, b)
    t = add_op(s.output, b)
    describe_op(t.output, label)
    with dsl.Condition(s.output > 3):
        describe_op(s.output, "big")


if __name__ == "__main__":
    compiler.Compiler().compile(pipeline, sys.argv[1])
