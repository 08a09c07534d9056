"""What one live frame costs, measured on the input the model reads."""

import pytest

from explorer.engine.measure import measure_pipeline
from explorer.models.spec import ModelSpec
from explorer.runtime import registry


@pytest.mark.parametrize("spec", [ModelSpec.create("compact"), ModelSpec.create("v2", scale=0.5, input_size=96)])
def test_a_frame_is_timed_on_the_input_the_model_reads(spec):
    # the compact net reads sensor windows: timing it on an image raised (the fit failed on it)
    candidate = measure_pipeline(spec, registry.reference().name, threads=1, runs=3, warmup=1)
    assert candidate.spec == spec and candidate.median_ms > 0 and candidate.madds > 0
