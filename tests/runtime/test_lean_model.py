"""The lean ONNX model (logits only) is cut out of the tapped export: same logits, no extra outputs."""
import numpy as np

from explorer.models import ModelSpec
from explorer.models.registry import build_model
from explorer.runtime.onnx_backend import export_onnx, logits_only, session


def test_the_lean_model_cut_from_the_tapped_export_gives_the_same_logits(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_CACHE", str(tmp_path))
    spec = ModelSpec.create("v1", groups=3, scale=0.5, input_size=96)
    model = build_model(spec, seed=2)
    tapped = export_onnx(model, spec)
    lean = logits_only(tapped)
    exported = export_onnx(model, spec, tapped=False)
    x = np.random.default_rng(0).normal(size=(1, 3, 96, 96)).astype(np.float32)
    cut, direct = session(lean, 1), session(exported, 1)
    assert [o.name for o in cut.get_outputs()] == ["logits"]
    assert len(session(tapped, 1).get_outputs()) > 10
    np.testing.assert_array_equal(cut.run(None, {"input": x})[0], direct.run(None, {"input": x})[0])
