"""Lesson `shuffle-ablation`: what the shuffle buys a grouped network, shown two ways."""
from __future__ import annotations

import statistics

import cv2
import numpy as np
import torch

from explorer.analysis.shuffle_flow import input_groups_seen, stacked_connectivity
from explorer.engine.pipeline import InferencePipeline, build_bundle
from explorer.lessons.base import LessonResult, Plot, Verdict, machine_info
from explorer.lessons.papers import PAPERS
from explorer.models import ModelSpec
from explorer.models.registry import build_model
from explorer.progress import check_cancel
from explorer.sources import SyntheticSource
from explorer.teach import train_head

TITLE = "Why group convolutions need the shuffle"
EXPLANATION = (
    "With g = 8 groups, each 1x1 group convolution only mixes the channels inside its group. Stack two and, "
    "without a shuffle, an output channel still sees 1 of the 8 input groups; with the shuffle it sees all "
    "8. The second half measures what that does: the same untrained V1 g = 8 backbone, once with the shuffle "
    "and once without (identical weights), teaches a linear head the synthetic source's four scenes in grey "
    "(shapes only) from 2 frames each and is scored on 9 later frames per scene, over several random "
    "initialisations. This is NOT the paper's ImageNet experiment (that trains every layer for days): the "
    "paper's gain comes from training, through layers that can combine information across groups. With "
    "random, untrained weights only a linear head learns, so this half shows whether mixing alone makes "
    "random features easier to read; read its verdict with that in mind."
)
PAPER = PAPERS["shuffle-ablation"]
SPEC = ModelSpec.create("v1", groups=8, scale=0.5, input_size=128)
SCENES = ("circles", "squares", "triangles", "stripes")
TRAIN_FRAMES = (0, 48)  # two frames per class: with more, every variant scores ~100 % and nothing shows
HELD_OUT = range(103, 400, 37)


def _grey(frame: np.ndarray) -> np.ndarray:
    """Shapes without their colours: the scenes' colours alone make the task trivial."""
    return np.ascontiguousarray(np.repeat(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[:, :, None], 3, axis=2))


def _accuracy(spec: ModelSpec, seed: int) -> float:
    pipeline = InferencePipeline(build_bundle(spec, model=build_model(spec, seed=seed), backend="eager", check_agreement=False))

    def embeddings(scene: int, frames) -> list[torch.Tensor]:
        source = SyntheticSource(seed=scene + 10, scene=scene, size=(240, 320))
        return [torch.from_numpy(pipeline.run(_grey(source.frame_at(i)), embedding=True).embedding) for i in frames]

    samples = {name: embeddings(scene, TRAIN_FRAMES) for scene, name in enumerate(SCENES)}
    head = train_head(samples, spec.to_dict(), "lesson", "random init", seed=seed)
    right = total = 0
    for scene, name in enumerate(SCENES):
        source = SyntheticSource(seed=scene + 10, scene=scene, size=(240, 320))
        for i in HELD_OUT:
            result = pipeline.run(_grey(source.frame_at(i)), head=head)
            right += result.top[0].label == name
            total += 1
    return right / total


def run(threads: int, progress=None, cancel=None, quick: bool = False) -> LessonResult:
    torch.set_num_threads(threads)
    rows = []
    for shuffle in (False, True):
        seen = input_groups_seen(stacked_connectivity(SPEC.groups ** 2, SPEC.groups, shuffle), SPEC.groups)
        rows.append({"part": "connectivity", "shuffle": "on" if shuffle else "off", "seed": None, "accuracy": None,
                     "input_groups_seen": f"{min(seen)}-{max(seen)} of {SPEC.groups}", "series": "connectivity"})
    seeds = range(3 if quick else 6)
    total = 2 * len(seeds)
    for done, (seed, shuffle) in enumerate(((s, sh) for s in seeds for sh in (True, False)), start=1):
        check_cancel(cancel)
        accuracy = _accuracy(SPEC.with_changes(shuffle=shuffle), seed)
        rows.append({"part": "teach", "shuffle": "on" if shuffle else "off", "seed": seed, "accuracy": round(accuracy, 4),
                     "input_groups_seen": None, "series": f"shuffle {'on' if shuffle else 'off'}"})
        if progress:
            progress(done / total, f"seed {seed}, shuffle {'on' if shuffle else 'off'}: {accuracy:.0%} held-out")
    on = [r["accuracy"] for r in rows if r["part"] == "teach" and r["shuffle"] == "on"]
    off = [r["accuracy"] for r in rows if r["part"] == "teach" and r["shuffle"] == "off"]
    summary = (f"on {statistics.mean(on):.1%} ± {statistics.stdev(on):.1%} vs off {statistics.mean(off):.1%} ± "
               f"{statistics.stdev(off):.1%} held-out, over {len(on)} initialisations (chance {1 / len(SCENES):.0%})")
    reach = {r["shuffle"]: r["input_groups_seen"] for r in rows if r["part"] == "connectivity"}
    verdicts = [
        Verdict("two stacked group convs see every input group only with the shuffle",
                reach["on"].startswith(f"{SPEC.groups}-") and reach["off"].startswith("1-1"),
                f"without: {rows[0]['input_groups_seen']}, with: {rows[1]['input_groups_seen']} input groups per output"),
        Verdict("the shuffled backbone's features teach better (mean held-out accuracy)", statistics.mean(on) > statistics.mean(off), summary),
    ]
    return LessonResult("shuffle-ablation", TITLE, EXPLANATION, machine_info(threads), rows, PAPER, verdicts,
                        Plot("seed", "accuracy", "series", "random initialisation (seed)", "held-out accuracy"),
                        [f"backbone: {SPEC.label}, untrained; head: logistic regression on pooled features"])
