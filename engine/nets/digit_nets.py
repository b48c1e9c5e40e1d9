"""Small CNNs for the 28x28 digits: how a network downsamples, and its head, decide how it reacts to a shift.

Every net maps (N, 1, 28, 28) -> (N, 10) logits with 3x3 convolutions ("same" padding) and ReLU:

    max_pool      [conv -> ReLU -> max_pool2d(2)] x 2         -> flatten (32*7*7) -> linear 10
    avg_pool      [conv -> ReLU -> avg_pool2d(2)] x 2         -> flatten            -> linear 10
    strided       [conv(stride=2) -> ReLU] x 2                -> flatten            -> linear 10
    global_pool   [conv(dilation 1, 2, 4, 8) -> ReLU] x 4     -> mean over H, W (32) -> linear 10
    se            [conv -> ReLU -> SE(r) -> max_pool2d(2)] x 2 -> flatten            -> linear 10
    max_pool_gap  [conv -> ReLU -> max_pool2d(2)] x 2 -> conv -> ReLU -> mean over H, W (32) -> linear 10
    avg_pool_gap, strided_gap: the same with avg_pool2d(2) or stride-2 convolutions (a "gap" head, tail=1)

A flatten head has one weight per (channel, position, class): it is position-specific, so a feature that
moves to another cell of the last map meets other weights. A global-average-pool (GAP) head averages each
channel over all positions first. Comparing downsampling choices is fair only between nets with the same
head: GAP_HEAD pairs each flatten net with its GAP twin (same downsampling and training; one more 3x3
convolution at 7x7, so that each of the 7x7 cells the head averages sees about a digit: 18 x 18 pixels
after pooling, 15 x 15 after stride-2 convolutions; a digit is 16 x 16).

Squeeze-and-excitation (Hu et al. 2018) on a feature map u (C, H, W), reduction r:
    z_c = mean_(i, j) u_c[i, j]                    squeeze: (C,)
    s = sigmoid(W2 relu(W1 z + b1) + b2)           excitation: FC C -> C/r, ReLU, FC C/r -> C; s in (0, 1)^C
    out_c = s_c * u_c                              scale: (C, H, W)

`forward_with_activations(x, gate_override=None) -> (logits, OrderedDict)` returns every intermediate map
explicitly (no hooks, nothing stored on the module), in forward order:
    conv{i}    (N, C, H, W) after ReLU, at full resolution (for "strided": the stride-1 convolution, so that
               the stride-2 output is exactly its every other pixel)
    gate{i}    (N, C, 1, 1) the SE gates s actually applied (se only), scaled{i} = s * u (se only)
    pool{i}    (N, C, H/2, W/2) after max/avg pooling;  stride{i}: conv{i}[..., ::2, ::2] (strided only)
    gap        (N, C, 1, 1) global average (nets with head="gap")
Example:
    model = build("max_pool")  # untrained; the trained ones: engine.nets.digit_loading.load(name)
    logits, acts = model.forward_with_activations(torch.zeros(1, 1, 28, 28))  # acts["pool1"]: (1, 16, 14, 14)
torch is imported inside the functions only, so importing this module costs nothing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from engine.nets.weights import parameter_count  # noqa: F401  (re-exported for the training scripts)

CANVAS = 28
CLASSES = 10
DOWNSAMPLING = ("max", "avg", "stride", "none")
HEADS = ("flatten", "gap")


@dataclass(frozen=True)
class DigitNetConfig:
    name: str
    downsampling: str = "max"  # "max" / "avg" (2x2 pooling), "stride" (stride-2 conv), "none" (global pool)
    channels: tuple = (16, 32)  # output channels of the 3x3 convolutions
    dilations: tuple = ()  # per convolution (default 1 each); only sensible without downsampling
    se_reduction: int = 0  # r of a squeeze-and-excitation block after every conv stage; 0 = none
    head: str = "flatten"  # "flatten" (position-specific linear) or "gap" (global average pool, then linear)
    tail: int = 0  # the last `tail` conv stages keep their map size (no downsampling after them)

    def __post_init__(self):
        if self.downsampling not in DOWNSAMPLING:
            raise ValueError(f"Unknown downsampling {self.downsampling!r}: choose one of {', '.join(DOWNSAMPLING)}.")
        if not self.channels or any(int(c) != c or c < 1 for c in self.channels):
            raise ValueError(f"channels must be whole numbers of at least 1, got {self.channels}.")
        if self.dilations and len(self.dilations) != len(self.channels):
            raise ValueError("Give one dilation per convolution (or none).")
        if self.se_reduction and self.downsampling == "stride":
            raise ValueError("SE blocks go after a full-resolution conv stage: use them with pooling, not strides.")
        if self.se_reduction and any(c % self.se_reduction for c in self.channels):
            raise ValueError(f"se_reduction r = {self.se_reduction} must divide every channel count {self.channels}.")
        if self.head not in HEADS:
            raise ValueError(f"Unknown head {self.head!r}: choose one of {', '.join(HEADS)}.")
        if not 0 <= self.tail < len(self.channels):
            raise ValueError(f"tail must be 0..{len(self.channels) - 1} (at least one stage downsamples).")
        if self.downsampling != "none" and CANVAS % 2 ** self.halvings:
            raise ValueError(f"{len(self.channels)} halvings do not divide the {CANVAS}-pixel canvas.")

    @property
    def stages(self):
        return len(self.channels)

    @property
    def halvings(self):
        """How many stages halve the map: every stage but the tail, none without downsampling."""
        return 0 if self.downsampling == "none" else self.stages - self.tail

    def downsamples(self, i):
        """True if stage i (1-based) ends with a downsampling (pooling, or its convolution has stride 2)."""
        return i <= self.halvings

    @property
    def map_side(self):
        """Side of the last convolution stage's map: 28 / 2^halvings."""
        return CANVAS // 2 ** self.halvings

    @property
    def final_side(self):
        """Side of the map the linear head reads: 1 after a global average pool, else map_side."""
        return 1 if self.head == "gap" else self.map_side

    def dilation(self, i):
        return self.dilations[i] if self.dilations else 1

    def layer_names(self):
        """The activation names forward_with_activations returns, in forward order."""
        names = []
        for i in range(1, self.stages + 1):
            names.append(f"conv{i}")
            if self.se_reduction:
                names += [f"gate{i}", f"scaled{i}"]
            if self.downsampling in ("max", "avg") and self.downsamples(i):
                names.append(f"pool{i}")
            elif self.downsampling == "stride" and self.downsamples(i):
                names.append(f"stride{i}")
        if self.head == "gap":
            names.append("gap")
        return tuple(names)

    def strides(self):
        """Cumulative stride (input pixels per map cell) of every activation; 0 for 1x1 maps (gates, gap)."""
        out, step = {}, 1
        for name in self.layer_names():
            if name.startswith(("pool", "stride")):
                step *= 2
            out[name] = 0 if name.startswith(("gate", "gap")) else step
        return out

    def roles(self):
        """The maps the invariance lesson compares: the first conv map (before any downsampling), the first
        downsampled map (None without downsampling) and the last map, the classifier's input."""
        names = self.layer_names()
        first = {"max": "pool1", "avg": "pool1", "stride": "stride1"}.get(self.downsampling)
        return {"first_conv": "scaled1" if self.se_reduction else "conv1", "first_downsampled": first,
                "last": names[-1]}

    def describe(self):
        """One line per stage, e.g. "conv3x3 1->16, ReLU, max_pool2d 2  (28x28 -> 14x14)"."""
        lines, side, c_in = [], CANVAS, 1
        for i, c in enumerate(self.channels):
            d, parts, down = self.dilation(i), [f"conv3x3 {c_in}->{c}"], self.downsamples(i + 1)
            parts[0] += f" dilation {d}" if d > 1 else ""
            parts[0] += " stride 2" if self.downsampling == "stride" and down else ""
            parts.append("ReLU")
            if self.se_reduction:
                parts.append(f"SE (r = {self.se_reduction}: FC {c}->{c // self.se_reduction}->{c})")
            if self.downsampling in ("max", "avg") and down:
                parts.append(f"{self.downsampling}_pool2d 2")
            new_side = side // 2 if down else side
            lines.append(", ".join(parts) + f"  ({side}x{side} -> {new_side}x{new_side})")
            side, c_in = new_side, c
        features = c_in if self.head == "gap" else c_in * side * side
        lines.append(("global average pool, " if self.head == "gap" else f"flatten {c_in}x{side}x{side}, ")
                     + f"linear {features}->{CLASSES}")
        return lines

    def to_dict(self):
        d = asdict(self)
        return {**d, "channels": list(self.channels), "dilations": list(self.dilations)}


CONFIGS = {
    "max_pool": DigitNetConfig("max_pool", "max"),
    "avg_pool": DigitNetConfig("avg_pool", "avg"),
    "strided": DigitNetConfig("strided", "stride"),
    "global_pool": DigitNetConfig("global_pool", "none", channels=(16, 32, 32, 32), dilations=(1, 2, 4, 8),
                                  head="gap"),
    "se": DigitNetConfig("se", "max", se_reduction=4),
    "se_r2": DigitNetConfig("se_r2", "max", se_reduction=2),  # the SE lesson's reduction-ratio choice
    "se_r8": DigitNetConfig("se_r8", "max", se_reduction=8),
    # the pooling lesson's same-head comparison: one more 3x3 conv at 7x7 (receptive field 18 px, 15 strided) before the GAP
    "max_pool_gap": DigitNetConfig("max_pool_gap", "max", channels=(16, 32, 32), tail=1, head="gap"),
    "avg_pool_gap": DigitNetConfig("avg_pool_gap", "avg", channels=(16, 32, 32), tail=1, head="gap"),
    "strided_gap": DigitNetConfig("strided_gap", "stride", channels=(16, 32, 32), tail=1, head="gap"),
}
COMPARED = ("max_pool", "avg_pool", "strided", "global_pool", "se")  # the draw-a-digit lesson's five networks
GAP_HEAD = {"max_pool": "max_pool_gap", "avg_pool": "avg_pool_gap", "strided": "strided_gap"}  # flatten -> GAP twin
MEASURED = COMPARED + tuple(GAP_HEAD.values())  # the nets whose shift / rotation curves ship in digit_curves.json
SE_BY_REDUCTION = {2: "se_r2", 4: "se", 8: "se_r8"}
LABELS = {
    "max_pool": "Max pooling 2x2",
    "avg_pool": "Average pooling 2x2",
    "strided": "Stride-2 convolutions",
    "global_pool": "No downsampling, global average pool",
    "se": "Max pooling + squeeze-and-excitation",
    "se_r2": "Max pooling + squeeze-and-excitation, r = 2",
    "se_r8": "Max pooling + squeeze-and-excitation, r = 8",
    "max_pool_gap": "Max pooling 2x2, global average pool head",
    "avg_pool_gap": "Average pooling 2x2, global average pool head",
    "strided_gap": "Stride-2 convolutions, global average pool head",
}


def config(name):
    if name not in CONFIGS:
        raise ValueError(f"Unknown digit network {name!r}: choose one of {', '.join(CONFIGS)}.")
    return CONFIGS[name]


def build(cfg):
    """The untrained model for `cfg` (a DigitNetConfig or a name): (N, 1, 28, 28) -> (N, 10) logits."""
    cfg = config(cfg) if isinstance(cfg, str) else cfg
    from engine.nets.digit_modules import module_classes  # torch is imported there, on first use

    return module_classes()["DigitNet"](cfg)
