"""What the papers say, in one table: each lesson's claims with paper, table and row.

Numbers appear only where they were read from the source named beside them (the model figures
come from each architecture entry's ``published``); where a table could not be read here, the row
gives the direction the paper states instead, and says so."""

from __future__ import annotations

from explorer.models import ModelSpec
from explorer.models.architecture import all_published

PAPERS: dict[str, list[dict]] = {}
PAPERS["guidelines"] = [
    {
        "guideline": "G1",
        "claim": "Equal channel width minimizes memory access cost (MAC)",
        "source": "ShuffleNet V2 paper, Section 2, G1 and Table 1 (c1:c2 = 1:1, 1:2, 1:6, 1:12)",
        "figures": "direction only (the table's numbers are not transcribed here): fastest at 1:1",
    },
    {
        "guideline": "G2",
        "claim": "Excessive group convolution increases MAC",
        "source": "ShuffleNet V2 paper, Section 2, G2 and Table 2 (g = 1, 2, 4, 8)",
        "figures": "direction only: slower as g grows at equal FLOPs",
    },
    {
        "guideline": "G3",
        "claim": "Network fragmentation reduces degree of parallelism",
        "source": "ShuffleNet V2 paper, Section 2, G3 and Table 3 (1-fragment; 2, 4 in series; 2, 4 in parallel)",
        "figures": "direction only: fragmented structures are slower",
    },
    {
        "guideline": "G4",
        "claim": "Element-wise operations are non-negligible",
        "source": "ShuffleNet V2 paper, Section 2, G4 and Table 4 (ReLU and shortcut on/off in a bottleneck)",
        "figures": "direction only: removing ReLU and the shortcut makes it faster",
    },
]
PAPERS["shuffle-ablation"] = [
    {
        "claim": "Channel shuffle lowers classification error for every group count > 1, most for large g",
        "source": "ShuffleNet V1 paper, Table 3 (ImageNet top-1 error, %, without / with shuffle)",
        "figures": "1x g=3 34.5 / 32.6 (1.9 better); 1x g=8 37.6 / 32.4 (5.2); 0.5x g=3 45.7 / 43.2 (2.5); "
        "0.5x g=8 48.1 / 42.3 (5.8); 0.25x g=3 56.3 / 55.0 (1.3); 0.25x g=8 56.5 / 52.7 (3.8)",
    }
]
PAPERS["flops-vs-speed"] = [
    {
        "claim": "every 4x theoretical complexity reduction usually results in ~2.6x actual speedup",
        "source": "ShuffleNet V1 paper, actual speedup evaluation (single-thread Qualcomm Snapdragon 820)",
        "figures": "V1 g = 3 at 224x224: 0.5x 15.2 ms, 1x 37.8 ms, 2x 108.8 ms",
    },
    {
        "claim": "ShuffleNet 0.5x achieves ~13x actual speedup over AlexNet at comparable accuracy; the theoretical speedup is 18x",
        "source": "ShuffleNet V1 paper, abstract and Section 4.5 (ARM-based mobile device)",
        "figures": "~13x actual, 18x theoretical (AlexNet's own time in the paper's Table 8 is not transcribed here)",
    },
    {
        "claim": "complexity of V1 1x by group count g = 1, 2, 3, 4, 8",
        "source": "ShuffleNet V1 paper, Table 1",
        "figures": "143, 140, 137, 133, 137 MFLOPs",
    },
]
PAPERS["family"] = [
    {
        "claim": "ShuffleNet 2x (g = 3, 524 MFLOPs) is 3.1 % more accurate than MobileNetV1 1.0 (569 MFLOPs)",
        "source": "ShuffleNet V1 paper, Table 7",
        "figures": "524 vs 569 MFLOPs; +3.1 % top-1",
    },
] + [
    {
        "claim": f"{ModelSpec.create(a.name, groups=g, scale=s).label.rsplit(' @', 1)[0]}: top-1 {p.top1} %, {p.madds_m} MFLOPs",
        "source": p.top1_source or p.source,
        "figures": f"{p.top1} %",
    }
    for a, g, s, p in all_published()
    if p.top1 is not None
]
