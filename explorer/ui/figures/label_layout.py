"""Where to put point labels so that none covers another or leaves the plot (no Qt: pixels in,
pixels out, so it is tested on its own).

A greedy pass, in priority order: each label tries a few spots around its point (right-above
first, as people read) and takes the first that stays inside the bounds and overlaps no label
already placed and no other point.  In a crowd the spots next to the point are all taken, so a
ring or two further out are tried (the figure draws a thin leader line to those: ``is_far``).  A
label with no free spot is left out (None): the point keeps its hover tooltip and the table
names it.
"""

from __future__ import annotations

Box = tuple[float, float, float, float]  # left, top, width, height in pixels (y grows down)

GAP = 4.0
POINT_RADIUS = 5.0
FAR = (2.5, 4.5)  # the outer rings' distances from the point, in label heights


def _candidates(x: float, y: float, w: float, h: float) -> list[Box]:
    g = GAP
    near = [
        (x + g, y - h - g, w, h),
        (x + g, y + g, w, h),
        (x - w - g, y - h - g, w, h),
        (x - w - g, y + g, w, h),
        (x - w / 2, y - h - 2 * g, w, h),
        (x - w / 2, y + 2 * g, w, h),
        (x + 2 * g, y - h / 2, w, h),
        (x - w - 2 * g, y - h / 2, w, h),
    ]
    far = []
    for reach in FAR:
        d = reach * h
        far += [
            (x + d, y - h - d, w, h),
            (x + d, y + d, w, h),
            (x - w - d, y - h - d, w, h),
            (x - w - d, y + d, w, h),
            (x - w / 2, y - h - d, w, h),
            (x - w / 2, y + d, w, h),
        ]
    return near + far


def is_far(box: Box, anchor: tuple[float, float]) -> bool:
    """Whether ``box`` is on an outer ring (away from its point: it needs a leader line)."""
    x, y = anchor
    dx = max(box[0] - x, 0.0, x - (box[0] + box[2]))
    dy = max(box[1] - y, 0.0, y - (box[1] + box[3]))
    return max(dx, dy) > 3 * GAP


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(box: Box, bounds: Box) -> bool:
    return (
        box[0] >= bounds[0]
        and box[1] >= bounds[1]
        and box[0] + box[2] <= bounds[0] + bounds[2]
        and box[1] + box[3] <= bounds[1] + bounds[3]
    )


def place_labels(
    anchors: list[tuple[float, float]],
    sizes: list[tuple[float, float]],
    bounds: Box,
    points: list[tuple[float, float]] = (),
    blocked: list[Box] = (),
) -> list[Box | None]:
    """For each label (anchor point in pixels, text size), its box, or None when no spot is free.

    ``points`` are every drawn point (labelled or not): labels avoid covering them too, and any
    ``blocked`` box (a legend).
    """
    r = POINT_RADIUS
    taken: list[Box] = [(px - r, py - r, 2 * r, 2 * r) for px, py in points] + list(blocked)
    placed: list[Box | None] = []
    for (x, y), (w, h) in zip(anchors, sizes):
        spot = next(
            (
                box
                for box in _candidates(x, y, w, h)
                if _inside(box, bounds) and not any(_overlaps(box, other) for other in taken)
            ),
            None,
        )
        if spot is not None:
            taken.append(spot)
        placed.append(spot)
    return placed
