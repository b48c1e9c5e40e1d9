"""Parameters and multiply-accumulates of a ResNet bottleneck block, with or without squeeze-and-excitation.

Symbols: B is the bottleneck width, C = 4B the block's input and output channels (the channels SE acts on,
C in the SE formulas). The bottleneck at H x W: 1x1 conv C -> B, 3x3 conv B -> B (padding 1), 1x1 conv
B -> C. A k x k conv from C_in to C_out channels has k*k*C_in*C_out weights and does
H*W*k*k*C_in*C_out multiply-accumulates (MACs; the lecture calls them FLOPs, as many papers do;
one MAC is two floating-point operations, which is what torch's FlopCounterMode reports).

Squeeze-and-excitation (SE) with reduction r on the block's C-channel output:
    squeeze:    global average, H*W*C additions
    excitation: FC C -> C/r, ReLU, FC C/r -> C, sigmoid (C*C/r MACs each)
    scale:      every cell times its channel's weight, H*W*C multiplications

What is counted: the convolutions' weights (no biases: each conv is followed by batch norm, which makes a
bias redundant, as in ResNet) and the SE layers' weights and biases (SENet and torchvision use biased
FC layers); MACs of convs and FCs, and the additions and multiplications of SE's squeeze and scale.
Not counted (see NOT_COUNTED): batch norm (2 learnable values per channel; folded into the conv at
inference), ReLU and sigmoid, the FC biases' additions, the residual addition (H*W*C).

Example: bottleneck_cost(56, 56, 64, reduction=16).block_flops -> 218_365_952 (about 218 M),
    .se_flops -> 1_613_824 (about 1.6 M, 0.74 % more), .se_params -> 8_464 (12.2 % more than 69_632)
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.ops.checks import positive_int

NOT_COUNTED = ("batch norm (2 parameters per channel, folded into the convolution at inference), "
               "ReLU and sigmoid, the FC biases' additions, and the residual addition (H·W·C)")


@dataclass(frozen=True)
class CostRow:
    """One part of the block: which (part: 'bottleneck' or 'SE'), what (name), the formulas with the
    symbols and with this block's numbers written in, and the counts (flops = multiply-accumulates)."""
    part: str
    name: str
    params_formula: str
    formula: str
    params: int
    flops: int


@dataclass(frozen=True)
class BlockCost:
    """Cost of one bottleneck block of H x W x C, C = 4B (channels: B; reduction None: no SE); rows in
    computation order."""
    height: int
    width: int
    channels: int
    reduction: int | None
    rows: tuple

    def _total(self, part, field):
        return sum(getattr(r, field) for r in self.rows if part in (None, r.part))

    @property
    def block_params(self):
        return self._total("bottleneck", "params")

    @property
    def block_flops(self):
        return self._total("bottleneck", "flops")

    @property
    def se_params(self):
        return self._total("SE", "params")

    @property
    def se_flops(self):
        return self._total("SE", "flops")

    @property
    def params(self):
        return self._total(None, "params")

    @property
    def flops(self):
        return self._total(None, "flops")

    @property
    def se_flops_share(self):
        """What SE adds, as a fraction of the bottleneck's multiply-accumulates (0 without SE)."""
        return self.se_flops / self.block_flops

    @property
    def se_params_share(self):
        """What SE adds, as a fraction of the bottleneck's parameters (0 without SE)."""
        return self.se_params / self.block_params


def bottleneck_cost(height, width, channels, reduction=None):
    """Parameters and MACs of a ResNet bottleneck of width B = `channels` (1x1 C->B, 3x3 B->B, 1x1 B->C, C = 4B)
    at H x W, plus a squeeze-and-excitation block of reduction r on its C channels if `reduction` is given
    (C/r hidden units).

    Example: bottleneck_cost(56, 56, 64).block_flops == 56*56*(256*64 + 9*64*64 + 64*256)
    """
    h, w, c = (positive_int(v, name) for v, name in ((height, "height"), (width, "width"), (channels, "channels")))
    hw = f"{h}·{w}"
    rows = [
        CostRow("bottleneck", f"1×1 conv, {4 * c} → {c}", f"C·B = {4 * c}·{c}",
                f"H·W·C·B = {hw}·{4 * c}·{c}", 4 * c * c, h * w * 4 * c * c),
        CostRow("bottleneck", f"3×3 conv, {c} → {c}", f"3·3·B·B = 9·{c}·{c}",
                f"H·W·3·3·B·B = {hw}·9·{c}·{c}", 9 * c * c, h * w * 9 * c * c),
        CostRow("bottleneck", f"1×1 conv, {c} → {4 * c}", f"B·C = {c}·{4 * c}",
                f"H·W·B·C = {hw}·{c}·{4 * c}", 4 * c * c, h * w * 4 * c * c),
    ]
    if reduction is not None:
        r = positive_int(reduction, "reduction")
        if (4 * c) % r:
            raise ValueError(f"The SE reduction r = {r} must divide the block's C = 4B = {4 * c} channels "
                             f"(C/r hidden units); try r = 4, 8 or 16 with B a multiple of 4.")
        hidden, wide = 4 * c // r, 4 * c
        rows += [
            CostRow("SE", "squeeze: global average pool", "0", f"H·W·C = {hw}·{wide}", 0, h * w * wide),
            CostRow("SE", f"excitation: FC {wide} → {hidden}", f"C·C/r + C/r = {wide}·{hidden} + {hidden}",
                    f"C·C/r = {wide}·{hidden}", wide * hidden + hidden, wide * hidden),
            CostRow("SE", f"excitation: FC {hidden} → {wide}", f"C/r·C + C = {hidden}·{wide} + {wide}",
                    f"C/r·C = {hidden}·{wide}", hidden * wide + wide, hidden * wide),
            CostRow("SE", "scale: each channel times its weight", "0", f"H·W·C = {hw}·{wide}", 0, h * w * wide),
        ]
    return BlockCost(h, w, c, None if reduction is None else r, tuple(rows))
