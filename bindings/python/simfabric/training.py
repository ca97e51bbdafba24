"""Training steps end to end: a transformer, a data/tensor/pipeline-parallel plan (GPipe or
1F1B, ZeRO, recomputation, bucketed gradient all-reduce) and a cluster of GPU hosts on a
leaf-spine fabric, with faults.

    r = sf.training.step(layers=24, hidden=2048, heads=16, global_batch=64, micro_batch=2,
                         dp=2, tp=4, pp=4, hosts_per_leaf=2, spines=2)
    r["step_s"], r["bubble_fraction"], r["tflops_per_gpu"], r["mfu"], r["stages"]

Faults are (link name, fraction of capacity kept, 0 = down, at_s): a slow NIC is
("host1-leaf0", 0.25, 0.0). `timeline` lists (replica, stage, gpu, kind, index, start_s,
end_s) with kind F (forward), B (backward), R (gradient bucket all-reduce), O (optimizer).
A plan that does not fit the device raises ValueError naming the stage and its memory.
"""

from ._core.training import step, step_flops


def timeline_frame(result):
    """The step's timeline as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame(result["timeline"], columns=["replica", "stage", "gpu", "kind", "index", "start_s", "end_s"])


def gpipe_bubble_fraction(stages: int, micro_batches: int) -> float:
    """(p - 1) / (m + p - 1): the bubble of GPipe and 1F1B with uniform stages."""
    return (stages - 1) / (micro_batches + stages - 1)


__all__ = ["gpipe_bubble_fraction", "step", "step_flops", "timeline_frame"]
