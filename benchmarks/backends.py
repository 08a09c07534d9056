"""Backends side by side, one process, one thread count: prints numbers, asserts nothing.

    python benchmarks/backends.py [--threads 2] [--runs 50]

For V2 0.5x/1x/1.5x/2x and V1 1x g=1/2/3/4/8 at 224: median and p90 ms of torchvision's own
model in eager mode (the reference, where torchvision works), every explorer backend, and a
plain ONNX Runtime session on the torchvision export (what a user would otherwise pick); each
as a ratio to that plain ORT time.  Then the cost of feature taps on the best backend, and the
live pipeline's fps per backend (synthetic source, a stage-3 tap on).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import warnings

import harness  # noqa: E402,F401  (sets up the path and offscreen Qt)

warnings.filterwarnings("ignore")

import torch  # noqa: E402


def timed(fn, runs: int, warmup: int) -> tuple[float, float]:
    return interleaved({"x": fn}, runs, warmup)["x"]


def interleaved(fns: dict, runs: int, warmup: int, burst: int = 20, settle: int = 3) -> dict[str, tuple[float, float]]:
    """Median/p90 ms of each callable, measured round-robin in bursts so that a noisy machine's
    slow phases hit every engine alike (side by side, not one after another).  Each burst
    starts with ``settle`` discarded calls: thread pools (OpenMP, ORT) keep spinning for a
    while after a call and would otherwise tax whichever engine runs next."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(max(1, runs // burst)):
        for name, fn in fns.items():
            for _ in range(settle):
                fn()
            for _ in range(burst):
                start = time.perf_counter()
                fn()
                samples[name].append((time.perf_counter() - start) * 1000)
    from explorer.analysis.latency import percentile

    return {name: (statistics.median(values), percentile(values, 90)) for name, values in samples.items()}


def torch_eager(model, x):
    with torch.inference_mode():
        return model(x)


def plain_ort_session(model: torch.nn.Module, threads: int):
    """What a user would do by hand: torch.onnx.export + a default-tuned ORT session."""
    import onnxruntime as ort

    buffer = io.BytesIO()
    torch.onnx.export(
        model.eval(),
        (torch.zeros(1, 3, 224, 224),),
        buffer,
        dynamo=False,
        opset_version=17,
        input_names=["input"],
        output_names=["logits"],
    )
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--live-seconds", type=float, default=8)
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--quick", action="store_true", help="V2 1x only")
    args = parser.parse_args()

    from explorer.engine.bundle_request import BundleRequest, build_bundle
    from explorer.models import ModelSpec, build_model
    from explorer.optional import torchvision_status
    from explorer.runtime.registry import available_backends

    torch.set_num_threads(args.threads)
    backends = [b.name for b in available_backends() if b.available]
    tv = torchvision_status()
    specs = [ModelSpec.create("v2", scale=s) for s in (0.5, 1.0, 1.5, 2.0)] + [
        ModelSpec.create("v1", groups=g) for g in (1, 2, 3, 4, 8)
    ]
    if args.quick:
        specs = [ModelSpec.create("v2", scale=1.0)]
    print(
        f"threads {args.threads}, {args.runs} runs after {args.warmup} warm-up, batch 1, 224x224; torch {torch.__version__}; "
        f"torchvision {'ok' if tv.available else 'unavailable'}; ratios = median / plain ONNX Runtime median (lower is better)"
    )
    header = f"{'model':<16} {'engine':<22} {'median ms':>9} {'p90 ms':>8} {'x plain ORT':>11}"
    print(header)
    print("-" * len(header))
    x = torch.randn(1, 3, 224, 224)
    best_for_v2 = None
    for spec in specs:
        label = spec.label.replace("ShuffleNet ", "").replace(" @224", "")
        model = build_model(spec)
        if spec.arch == "v2" and tv.available:  # the plain-ORT baseline runs on torchvision's own export
            import torchvision.models as tvm

            reference = getattr(
                tvm,
                {
                    0.5: "shufflenet_v2_x0_5",
                    1.0: "shufflenet_v2_x1_0",
                    1.5: "shufflenet_v2_x1_5",
                    2.0: "shufflenet_v2_x2_0",
                }[spec.scale],
            )().eval()
            reference.load_state_dict(model.state_dict())
        else:
            reference = model
        plain = plain_ort_session(reference, args.threads)
        fns = {"plain ONNX Runtime": lambda: plain.run(None, {"input": x.numpy()})}
        if spec.arch == "v2" and tv.available:
            fns["torchvision eager"] = lambda: torch_eager(reference, x)
        bundles = {}
        for backend in backends:
            model_copy = build_model(spec)
            model_copy.load_state_dict(model.state_dict())
            bundles[backend] = build_bundle(
                BundleRequest.of(spec, model=model_copy, backend=backend, threads=args.threads)
            )
            fns[f"explorer {backend}"] = (lambda b: lambda: b.runner(x))(bundles[backend])
        results = interleaved(fns, args.runs, args.warmup)
        base = results["plain ONNX Runtime"][0]
        rows = [(name, *results[name]) for name in fns]
        if spec.arch == "v2" and spec.scale == 1.0:
            fast = [(results[f"explorer {b}"][0], b) for b in backends if b in ("onnxruntime", "int8")]
            if fast:
                best_for_v2 = (min(fast)[1], min(fast)[0], bundles[min(fast)[1]])
        for name, median, p90 in rows:
            print(f"{label:<16} {name:<22} {median:>9.2f} {p90:>8.2f} {median / base:>11.2f}")
    if best_for_v2:
        backend, median, bundle = best_for_v2
        taps = ("stage3", "stage3.0.before_shuffle", "stage3.0.after_shuffle")
        pair = interleaved(
            {"with": lambda: bundle.runner(x, taps), "without": lambda: bundle.runner(x)}, args.runs, args.warmup
        )
        with_taps, without = pair["with"][0], pair["without"][0]
        print(
            f"\nV2 1x, best backend {backend}: {without:.2f} ms without taps, {with_taps:.2f} ms with {len(taps)} taps "
            f"(+{(with_taps / without - 1) * 100:.0f} %; target <= +20 %)"
        )
    if not args.skip_live:
        live_fps(backends, args)
    return 0


def live_fps(backends: list[str], args) -> None:
    """End-to-end fps of the real window per backend: synthetic source unpaced, stage-3 tap on."""
    from explorer.engine.config import RunConfig
    from explorer.engine.worker import default_live_threads
    from explorer.models import ModelSpec

    threads = default_live_threads()
    print(
        f"\nlive pipeline, V2 1x at 224, {threads} inference thread(s) (the app's default), synthetic 640x480 unpaced, Feature maps tab on stage3:"
    )
    for backend in backends:
        window = harness.open_window(RunConfig(ModelSpec.create("v2"), backend=backend, threads=threads))
        window.set_tab("features")
        window.pages["features"].select_tap("stage3")
        harness.run_for(2)
        start_frames, start = window.rendered, time.perf_counter()
        harness.run_for(args.live_seconds)
        fps = (window.rendered - start_frames) / (time.perf_counter() - start)
        inference = statistics.median(window.inference_ms[-50:])
        print(f"  {backend:<14} {fps:6.1f} fps   (median inference {inference:.1f} ms)")
        window.close()


if __name__ == "__main__":
    sys.exit(main())
