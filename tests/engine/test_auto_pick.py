"""`auto` keeps a stable answer: within the timings' own spread it is a tie, and the backend
earlier in the registry's order stays; only a clear margin switches (#33.3)."""

from explorer.engine.checks import AUTO_TIE_FLOOR, Trial, pick_stable

ORDER = ["torch eager", "torch channels_last", "ONNX Runtime", "ncnn"]


def test_two_starts_with_the_fast_pair_swapped_by_noise_give_one_answer():
    first = [
        Trial("ncnn", 2.8, spread=1.25),
        Trial("ONNX Runtime", 3.4, spread=1.2),
        Trial("torch channels_last", 15.0),
    ]
    second = [
        Trial("ncnn", 3.3, spread=1.2),
        Trial("ONNX Runtime", 3.0, spread=1.25),
        Trial("torch channels_last", 14.0),
    ]
    picks = [pick_stable(trials, ORDER) for trials in (first, second)]
    assert [p[0].title for p in picks] == ["ONNX Runtime", "ONNX Runtime"]
    assert "tie" in picks[0][1] and "25%" in picks[0][1]  # the margin is in the reason


def test_a_clear_margin_switches_and_says_by_how_much():
    trials = [
        Trial("ONNX Runtime", 6.0, spread=1.05),
        Trial("ncnn", 4.0, spread=1.05),
        Trial("torch channels_last", 15.0),
    ]
    best, why = pick_stable(trials, ORDER)
    assert best.title == "ncnn" and "by 50%" in why and f"({AUTO_TIE_FLOOR:.0%})" in why


def test_the_floor_makes_a_tie_of_tiny_differences_even_with_steady_timings():
    trials = [Trial("ncnn", 4.0, spread=1.01), Trial("ONNX Runtime", 4.3, spread=1.01)]
    assert pick_stable(trials, ORDER)[0].title == "ONNX Runtime"


def test_the_earlier_fastest_one_within_the_spread_never_claims_a_margin_beyond_it():
    trials = [Trial("ONNX Runtime", 5.0, spread=1.64), Trial("ncnn", 5.9, spread=1.2)]  # measured here, once
    best, why = pick_stable(trials, ORDER)
    assert best.title == "ONNX Runtime" and "by 18%" in why and "within the timings' spread (64%)" in why
    assert "beyond" not in why
