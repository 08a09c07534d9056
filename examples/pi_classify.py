"""Classify a camera or a video with a model from `python -m explorer export`, on any board.

Needs only numpy, OpenCV and the model's runtime: onnxruntime for an .onnx file, ncnn for an
ncnn export (STEM.param + STEM.bin + STEM.json).  No torch, no Qt: what a Raspberry Pi demo needs.

    python -m explorer export --arch v2 --scale 1.0 --weights torchvision --out v2.onnx
    python -m explorer export --arch v2 --scale 1.0 --weights torchvision --format ncnn --out v2.param
    python examples/pi_classify.py v2.onnx --source 0              # camera 0 (V4L2 / USB webcam)
    python examples/pi_classify.py v2.param --source clip.mp4 --frames 100 --json

Prints the top-1 class and the frame rate once a second (or, with --json, one JSON object at
the end).  The preprocessing recipe, labels and spec come from the model file's metadata.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

METADATA_KEY = "shufflenet_explorer"
EXPORT_HINT = "export the model with `python -m explorer export`"


class Usage(Exception):
    pass


def load_onnx(path: str, threads: int):
    """(classify(x) -> logits, metadata) for an .onnx file; its metadata is inside it."""
    import onnxruntime as ort  # imported here: an ncnn board need not have it

    try:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise Usage(f"{path}: not a loadable ONNX model ({type(exc).__name__})") from None
    raw = session.get_modelmeta().custom_metadata_map.get(METADATA_KEY)
    if raw is None:
        raise Usage(f"{path}: no {METADATA_KEY} metadata; {EXPORT_HINT}")
    meta = json.loads(raw)
    return (lambda x: session.run([meta["output"]], {meta["input"]: x})[0][0]), meta


def load_ncnn(path: str, threads: int):
    """(classify(x) -> logits, metadata) for an ncnn export: STEM.param, STEM.bin, STEM.json."""
    import ncnn  # imported here: an ONNX board need not have it

    stem = Path(path).with_suffix("")
    try:
        meta = json.loads(stem.with_suffix(".json").read_text())
    except (OSError, ValueError) as exc:
        raise Usage(f"{stem}.json: no readable metadata beside the ncnn files ({exc}); {EXPORT_HINT}") from None
    net = ncnn.Net()
    net.opt.num_threads = threads
    if net.load_param(f"{stem}.param") != 0 or net.load_model(f"{stem}.bin") != 0:
        raise Usage(f"{stem}.param/.bin: not a loadable ncnn model; {EXPORT_HINT} --format ncnn")

    def classify(x: np.ndarray) -> np.ndarray:
        extractor = net.create_extractor()
        extractor.input(meta["input"], ncnn.Mat(np.ascontiguousarray(x[0])))
        status, logits = extractor.extract(meta["output"])
        if status != 0:
            raise RuntimeError(f"ncnn could not compute {meta['output']}")
        return np.array(logits).reshape(-1)

    return classify, meta


def load(path: str, threads: int):
    """By the file's suffix: .onnx for ONNX Runtime, else an ncnn export (any of its three files)."""
    return (load_onnx if path.lower().endswith(".onnx") else load_ncnn)(path, threads)


def preprocess(frame_bgr: np.ndarray, recipe: dict) -> np.ndarray:
    """The recipe in the metadata: shorter side to `resize`, centre `crop`, scale, mean/std."""
    h, w = frame_bgr.shape[:2]
    side = min(h, w) * recipe["crop"] / recipe["resize"]  # crop first, then resize: the app's order
    top, left = (h - side) / 2, (w - side) / 2
    region = frame_bgr[int(round(top)) : int(round(top + side)), int(round(left)) : int(round(left + side))]
    patch = cv2.resize(
        region,
        (recipe["crop"], recipe["crop"]),
        interpolation=cv2.INTER_AREA if side > 2 * recipe["crop"] else cv2.INTER_LINEAR,
    )
    if not recipe["bgr"]:
        patch = patch[:, :, ::-1]  # OpenCV delivers BGR; most weights want RGB
    x = patch.astype(np.float32) * recipe["scale"]
    x = (x - np.array(recipe["mean"], np.float32)) / np.array(recipe["std"], np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def open_capture(source: str) -> cv2.VideoCapture:
    capture = cv2.VideoCapture(int(source)) if source.isdigit() else cv2.VideoCapture(source)
    if not capture.isOpened():
        raise Usage(f"cannot open source {source!r}: a camera index (0, 1, ...) or a video file")
    return capture


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Classify camera or video frames with an exported ShuffleNet model.")
    parser.add_argument("model", help="an .onnx file, or an ncnn export's .param (with .bin and .json beside it)")
    parser.add_argument("--source", default="0", help="camera index or video file (default 0)")
    parser.add_argument(
        "--frames", type=int, default=0, help="stop after N frames (default: run until the video ends or Ctrl+C)"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        classify, meta = load(args.model, args.threads)
        if meta.get("recipe") is None:
            raise Usage(f"{args.model}: a signal model (no image recipe); this example classifies images")
        capture = open_capture(args.source)
    except Usage as exc:
        print(f"pi_classify: {exc}", file=sys.stderr)
        return 2
    labels = meta["labels"]
    if not meta["trained"] and not args.json:  # the JSON says "trained": false itself
        print(
            f"pi_classify: warning: {args.model} holds untrained weights ({meta['weights']}): its answers are "
            "random classes; export a trained checkpoint (python -m explorer export --weights ...)",
            file=sys.stderr,
        )
    frames, start, last_print, top1 = 0, time.perf_counter(), time.perf_counter(), None
    try:
        while not args.frames or frames < args.frames:
            ok, frame = capture.read()
            if not ok:
                break
            logits = classify(preprocess(frame, meta["recipe"]))
            index = int(np.argmax(logits))
            top1 = {"index": index, "label": labels[index] if meta["trained"] else f"class {index}"}
            frames += 1
            now = time.perf_counter()
            if not args.json and now - last_print >= 1.0:
                print(f"{top1['label']:<30} {frames / (now - start):5.1f} fps")
                last_print = now
    except KeyboardInterrupt:
        pass
    finally:
        capture.release()
    elapsed = time.perf_counter() - start
    if frames == 0:
        print(f"pi_classify: {args.source!r} delivered no frames", file=sys.stderr)
        return 2
    summary = {
        "model": meta["label"],
        "weights": meta["weights"],
        "trained": meta["trained"],
        "frames": frames,
        "fps": round(frames / elapsed, 1),
        "top1": top1,
    }
    print(
        json.dumps(summary)
        if args.json
        else f"{frames} frames, {frames / elapsed:.1f} fps, last top-1 {top1['label']}"
        + ("" if meta["trained"] else " (untrained model: random classes)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
