"""Plain container steps: dependencies, env, resources, a volume, an exit
handler. Compiled by the kfp 1.8.22 SDK (tests/tools/argolint/check.sh)."""
import sys

from kfp import compiler, dsl
from kubernetes.client import V1EnvVar


@dsl.pipeline(name="t3q containers", description="ContainerOps in a row")
def pipeline():
    bye = dsl.ContainerOp(name="goodbye", image="busybox:1.36",
                          command=["sh", "-c"], arguments=["echo goodbye"])
    with dsl.ExitHandler(bye):
        first = dsl.ContainerOp(name="first", image="busybox:1.36",
                                command=["sh", "-c"], arguments=["echo one; sleep 1"])
        first.container.add_env_variable(V1EnvVar(name="GREETING", value="hello"))
        first.container.set_memory_limit("256M").set_cpu_request("100m")
        second = dsl.ContainerOp(name="second", image="busybox:1.36",
                                 command=["sh", "-c"], arguments=["echo two"])
        second.after(first)
        vol = dsl.PipelineVolume(pvc="shared-data")
        third = dsl.ContainerOp(name="third", image="busybox:1.36",
                                command=["sh", "-c"], arguments=["ls /data"],
                                pvolumes={"/data": vol})
        third.after(second)
        third.set_retry(2)


if __name__ == "__main__":
    compiler.Compiler().compile(pipeline, sys.argv[1])
