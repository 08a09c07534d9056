"""The app's fp32 backends against what a user would run by hand, interleaved in one run.

    python benchmarks/peers.py [--threads 1 2] [--runs 60] [--quick] [--markdown]

Peers (each as its own documentation says to use it, default settings):
  - plain ONNX Runtime: torch.onnx.export of torchvision's model (V1: the app's, torchvision has
    none) and a default CPU session;
  - plain ncnn: `pnnx model.pt inputshape=[1,3,H,W]` on the traced model (pnnx's defaults), an
    ncnn.Net with only its thread count set;
  - OpenVINO fp32, where installed (x86; `pip install openvino`): the ONNX file compiled for CPU
    with the LATENCY hint and fp32 inference precision (its default on x86 with AVX-512 BF16 would
    be bf16, which is not fp32).
Against every fp32 backend the app has here (``registry.usable(reduced_precision=False)``).

Prints, per thread count and model, the median and p90 ms of each (bursts round-robin, warmed up),
the ratio to the fastest peer, then one line per model: the app's fastest fp32 backend over the
fastest peer, and both over the compute bound (the model's FLOPs at this machine's fp32 peak, from
the best large single-thread matmul, times the thread count).  The app at under 1.0x the bound
means the matmul did not reach this core's peak either: read the bound as an upper estimate.  A p90 more than 25 % over the median
marks the row "busy": a comparison on it is inconclusive.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's matmul in the peak: one core, like torch's

import harness  # noqa: E402,F401  (sets up the path)

warnings.filterwarnings("ignore")

import torch  # noqa: E402
from backends import interleaved  # noqa: E402

BUSY = 1.25  # p90 / median above this: the machine was busy during that row
SAME = 0.03  # medians this close (3 %) are the same speed on a machine this noisy


def fp32_peak_gflops(repeats: int = 7) -> float:
    """One core's fp32 peak as this machine delivers it: the best large single-thread matmul of torch's
    BLAS and numpy's (MKL, in torch's x86 wheels, runs slower on AMD cores than OpenBLAS does)."""
    torch.set_num_threads(1)
    best = 0.0
    for size in (1024, 2048):
        a, b = torch.randn(size, size), torch.randn(size, size)
        for mm in (torch.mm, lambda x, y: x.numpy() @ y.numpy()):
            mm(a, b)
            for _ in range(repeats):
                start = time.perf_counter()
                mm(a, b)
                best = max(best, 2 * size**3 / (time.perf_counter() - start) / 1e9)
    return best


def onnx_bytes(model: torch.nn.Module, shape: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    torch.onnx.export(
        model.eval(), (torch.zeros(shape),), buffer, dynamo=False, opset_version=17, input_names=["input"]
    )
    return buffer.getvalue()


def plain_ort(data: bytes, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    return lambda x: session.run(None, {"input": x})


def pnnx_files(model: torch.nn.Module, shape: tuple[int, ...], folder: Path) -> tuple[Path, Path]:
    """pnnx on the traced model, with pnnx's defaults (as its README shows)."""
    from explorer.runtime.ncnn_backend import pnnx_executable

    traced = folder / "model.pt"
    with torch.no_grad():
        torch.jit.trace(model.eval(), torch.zeros(shape), check_trace=False).save(str(traced))
    dims = ",".join(map(str, shape))
    subprocess.run(
        [pnnx_executable(), str(traced), f"inputshape=[{dims}]"], cwd=folder, capture_output=True, check=True
    )
    return folder / "model.ncnn.param", folder / "model.ncnn.bin"


def plain_ncnn(files: tuple[Path, Path], threads: int):
    import ncnn

    net = ncnn.Net()
    net.opt.num_threads = threads
    net.load_param(str(files[0]))
    net.load_model(str(files[1]))

    def run(x):
        extractor = net.create_extractor()
        extractor.input("in0", ncnn.Mat(x[0]))
        return extractor.extract("out0")

    return run


def openvino_fp32(data: bytes, threads: int):
    """None when OpenVINO is not installed."""
    try:
        import openvino as ov
    except ImportError:
        return None
    core = ov.Core()
    compiled = core.compile_model(
        core.read_model(data, b""),
        "CPU",
        {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32"},
    )
    request = compiled.create_infer_request()
    return lambda x: request.infer({0: x})


def reference_model(spec, model: torch.nn.Module) -> torch.nn.Module:
    """torchvision's own model with the same weights where it has one (the peers' usual start)."""
    builder = f"shufflenet_v2_x{spec.scale:.1f}".replace(".", "_") if spec.arch == "v2" else None
    try:
        import torchvision.models as tvm

        reference = getattr(tvm, builder)() if builder else None
    except ImportError:
        reference = None
    if reference is None:
        return model
    reference.load_state_dict(model.state_dict())
    return reference.eval()


def measure(spec, threads: int, runs: int, warmup: int, folder: Path) -> dict[str, tuple[float, float, str]]:
    """{engine: (median ms, p90 ms, kind)} with kind "peer" or "app"."""
    from explorer.engine.bundle_request import BundleRequest, build_bundle
    from explorer.models import build_model
    from explorer.runtime import registry

    torch.manual_seed(0)
    model = build_model(spec).eval()
    shape = (1, *spec.input_shape)
    x = torch.randn(shape)
    xn = x.numpy()
    reference = reference_model(spec, model)
    data = onnx_bytes(reference, shape)
    fns, kinds = {}, {}
    fns["ONNX Runtime (plain)"] = (lambda run: lambda: run(xn))(plain_ort(data, threads))
    fns["ncnn (plain pnnx)"] = (lambda run: lambda: run(xn))(plain_ncnn(pnnx_files(reference, shape, folder), threads))
    openvino = openvino_fp32(data, threads)
    if openvino is not None:
        fns["OpenVINO fp32"] = lambda: openvino(xn)
    kinds = dict.fromkeys(fns, "peer")
    torch.set_num_threads(threads)
    for backend in registry.usable(reduced_precision=False):
        copy = build_model(spec)
        copy.load_state_dict(model.state_dict())
        bundle = build_bundle(
            BundleRequest.of(spec, model=copy, backend=backend.name, threads=threads, check_agreement=False)
        )
        name = f"app: {backend.short_title}"
        fns[name], kinds[name] = (lambda runner: lambda: runner(x))(bundle.runner), "app"
    results = interleaved(fns, runs, warmup)
    return {name: (*results[name], kinds[name]) for name in fns}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="V2 1x only")
    parser.add_argument("--markdown", action="store_true", help="also print the summary as a Markdown table")
    args = parser.parse_args()

    from explorer.analysis.complexity import analyze
    from explorer.models import ModelSpec

    specs = [ModelSpec.create("v2", scale=s) for s in (0.5, 1.0, 1.5, 2.0)]
    specs += [ModelSpec.create("v1", groups=g) for g in (3, 8)]
    if args.quick:
        specs = [ModelSpec.create("v2")]
    peak = fp32_peak_gflops()
    print(
        f"torch {torch.__version__}; {args.runs} runs after {args.warmup} warm-up, batch 1, 224x224, interleaved; "
        f"fp32 peak of one core {peak:.0f} GFLOP/s (best 1024^2/2048^2 matmul, torch or numpy); ratios = median / fastest peer's median"
    )
    summary = []
    with tempfile.TemporaryDirectory() as folder:
        for threads in args.threads:
            header = f"{'model':<22} {'engine':<32} {'median ms':>9} {'p90 ms':>7} {'x peer':>7}"
            print(f"\n{threads} thread{'s' if threads > 1 else ''}\n{header}\n{'-' * len(header)}")
            for spec in specs:
                rows = measure(spec, threads, args.runs, args.warmup, Path(folder))
                best_peer = min((r[0], n) for n, r in rows.items() if r[2] == "peer")
                best_app = min((r[0], n) for n, r in rows.items() if r[2] == "app")
                label = spec.label.replace("ShuffleNet ", "").replace(" @224", "")
                for name, (median, p90, _) in rows.items():
                    busy = "  busy" if p90 > BUSY * median else ""
                    print(f"{label:<22} {name:<32} {median:>9.2f} {p90:>7.2f} {median / best_peer[0]:>7.2f}{busy}")
                bound = 2 * analyze(spec).totals.madds / (peak * 1e9 * threads) * 1000
                noisy = any(rows[n][1] > BUSY * rows[n][0] for n in (best_peer[1], best_app[1]))
                summary.append((threads, label, best_app, best_peer, bound, noisy))
    print("\nthe app's fastest fp32 backend against the fastest peer (and the compute bound: FLOPs at the fp32 peak)")
    lines = []
    for threads, label, (app_ms, app), (peer_ms, peer), bound, noisy in summary:
        ratio = app_ms / peer_ms
        verdict = (
            "inconclusive (busy)"
            if noisy
            else "<= peer"
            if ratio <= 1
            else f"same within {SAME:.0%}"
            if ratio <= 1 + SAME
            else "slower than peer"
        )
        lines.append((threads, label, app[5:], app_ms, peer, peer_ms, app_ms / peer_ms, bound, app_ms / bound, verdict))
        print(
            f"{threads}t {label:<20} app {app[5:]} {app_ms:.2f} ms vs {peer} {peer_ms:.2f} ms: "
            f"{app_ms / peer_ms:.2f}x  ({verdict}); bound {bound:.2f} ms, app at {app_ms / bound:.1f}x the bound"
        )
    if args.markdown:
        print(
            "\n| threads | model | app's fastest fp32 | ms | fastest peer | ms | app / peer | bound ms | app / bound |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for t, label, app, app_ms, peer, peer_ms, ratio, bound, over, verdict in lines:
            mark = " (busy)" if verdict.startswith("inconclusive") else ""
            print(
                f"| {t} | {label} | {app} | {app_ms:.2f} | {peer} | {peer_ms:.2f} | {ratio:.2f}{mark} | "
                f"{bound:.2f} | {over:.1f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
