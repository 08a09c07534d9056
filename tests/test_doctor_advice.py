"""Every fix `doctor` prints is one that works on the machine it runs on (#33.9)."""

import re
import shlex

import pytest

from explorer import doctor
from explorer.cli import build_parser
from explorer.models.architecture import architectures


def commands_in(text: str) -> list[list[str]]:
    """The `explorer ...` commands a piece of advice quotes."""
    return [shlex.split(c)[1:] for c in re.findall(r"`(explorer [^`]+)`", text)]


def test_every_explorer_command_doctor_advises_parses_and_names_an_architecture_it_accepts(monkeypatch):
    monkeypatch.setattr(doctor, "cpu_index_reachable", lambda: False)
    checks = doctor.run_checks()
    advice = [e["source"] for e in checks["weights"].details["architectures"].values()]
    advice += [c.fix or "" for c in checks.values()]
    quoted = [argv for text in advice for argv in commands_in(text)]
    assert quoted  # the training advice quotes one
    for argv in quoted:
        args = build_parser().parse_args(argv)  # exits (SystemExit) on anything the parser refuses
        if args.command == "train":
            train_kinds = {a.name: a.input_kind for a in architectures()}
            assert train_kinds[args.arch] == "signal"  # the only kind `explorer train` trains end to end


def test_an_image_rival_without_published_weights_is_not_sent_to_explorer_train():
    per_arch = doctor.check_weights().details["architectures"]
    for arch in architectures():
        source = per_arch[arch.name]["source"]
        if arch.input_kind == "image":
            assert "explorer train" not in source, (arch.name, source)


def test_a_net_trained_here_and_kept_in_the_cache_is_found(tmp_path):
    from explorer.teach.signal_trainer import kept_path

    signal = next(a for a in architectures() if a.input_kind == "signal")
    assert doctor.check_weights().details["architectures"][signal.name]["present"] == {"trained here": False}
    kept_path("20261205-000000").write_bytes(b"a checkpoint")  # the per-test cache (conftest)
    check = doctor.check_weights()
    assert check.details["architectures"][signal.name]["present"] == {"trained here": True}
    assert check.ok and "trained here" in check.summary


@pytest.mark.parametrize("reachable", [True, False])
def test_the_torch_build_advice_depends_on_what_this_machine_can_install(monkeypatch, reachable):
    import torch

    monkeypatch.setattr(doctor, "cpu_index_reachable", lambda: reachable)
    monkeypatch.setattr(doctor, "gpu_present", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", "13.0")  # as PyPI's build reports itself
    check = doctor.check_torch_build()
    if reachable:
        assert not check.ok and "install.py" in check.fix
    else:  # reinstalling would fetch the same CUDA build: no fix is offered
        assert check.ok and check.fix is None and "not reachable" in check.summary
