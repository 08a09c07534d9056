"""What a model, a shuffle or this machine is: `explorer info`, `shuffle` and `doctor`."""

from __future__ import annotations

import argparse

from explorer.analysis.complexity import analyze
from explorer.cli_args import CONVENTION, UsageError, print_json, spec_from_args
from explorer.models.shuffle import check_groups, shuffle_permutation


def run_info(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    report = analyze(spec)
    if args.json:
        print_json(report.to_dict())
        return 0
    t = report.totals
    print(f"{spec.label}   input {'x'.join(map(str, spec.input_shape))}   {CONVENTION}")
    header = f"{'layer':<34} {'type':<18} {'output':<16} {'params':>10} {'MFLOPs':>9} {'MAC (K)':>9}"
    print(header)
    print("-" * len(header))
    for row in report.layers:
        shape = "x".join(map(str, row.out_shape))
        print(
            f"{row.name:<34} {row.type:<18} {shape:<16} {row.params:>10,} {row.madds / 1e6:>9.3f} {row.mac / 1e3:>9.1f}"
        )
    print("-" * len(header))
    print(
        f"params {t.params:,}   multiply-adds {t.madds / 1e6:.2f} M (conv {t.madds_conv / 1e6:.2f} M + FC {t.madds_fc / 1e6:.2f} M)   MAC {t.mac / 1e6:.2f} M elements"
    )
    return 0


def shuffle_picture(channels: int, groups: int) -> str:
    """A readable picture of the (g, n) -> (n, g) regrouping."""
    n = channels // groups
    perm = shuffle_permutation(channels, groups)
    width = len(str(channels - 1))
    cell = lambda c: str(c).rjust(width)  # noqa: E731
    lines = [
        f"channel shuffle: C={channels} channels in g={groups} groups of n={n}",
        "",
        f"1. reshape to (g={groups}, n={n}): one row per group",
    ]
    for g in range(groups):
        lines.append(f"   group {g}: " + " ".join(cell(g * n + i) for i in range(n)))
    lines.append(f"2. transpose to (n={n}, g={groups}): each row takes one channel from every group")
    for i in range(n):
        lines.append(f"   row {i}: " + " ".join(cell(g * n + i) for g in range(groups)))
    lines.append("3. flatten: output position k <- input channel (k mod g) * n + (k div g)")
    lines.append("   out: " + " ".join(cell(k) for k in range(channels)))
    lines.append("   in:  " + " ".join(cell(c) for c in perm))
    return "\n".join(lines)


def run_shuffle(args: argparse.Namespace) -> int:
    try:
        check_groups(args.channels, args.groups)
    except ValueError as exc:
        raise UsageError(f"explorer shuffle: {exc}") from None
    perm = shuffle_permutation(args.channels, args.groups)
    if args.json:
        print_json({"channels": args.channels, "groups": args.groups, "permutation": perm})
    else:
        print(shuffle_picture(args.channels, args.groups))
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    from explorer.doctor import run_checks

    checks = run_checks(args.source)
    if args.json:
        print_json({name: {"ok": c.ok, "summary": c.summary, "fix": c.fix, **c.details} for name, c in checks.items()})
    else:
        for name, check in checks.items():
            print(check.line(name))
    return 0
