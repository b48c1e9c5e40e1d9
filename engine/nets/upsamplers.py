"""Three tiny 2x upsampling networks: transposed convolution (k=3 or k=4, stride 2) and resize-convolution.

Every model has the same body: two 3x3 convolutions with ReLU that compute `channels` feature maps at the
input resolution, then ONE upsampling layer that maps them to a single output channel at twice the size:

    transposed_k3   ConvTranspose2d(C, 1, kernel_size=3, stride=2, padding=1, output_padding=1)
    transposed_k4   ConvTranspose2d(C, 1, kernel_size=4, stride=2, padding=1)
    resize_conv     Upsample(scale_factor=2, mode="nearest") then Conv2d(C, 1, kernel_size=3, padding=1)

The upsampling layer is last on purpose, so whatever pattern it makes reaches the output unfiltered.
torch is imported inside the functions only, so importing this module costs nothing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engine.nets.weights import parameter_count, seeded_model  # noqa: F401  (parameter_count: re-exported)

METHODS = ("transposed", "resize")
UNTRAINED_SEED = 1234


@dataclass(frozen=True)
class UpsamplerConfig:
    name: str
    method: str = "transposed"  # "transposed" (ConvTranspose2d) or "resize" (Upsample + Conv2d)
    kernel_size: int = 3  # kernel of the upsampling layer
    stride: int = 2  # upsampling factor
    channels: int = 16  # feature maps before the upsampling layer
    feature_layers: int = 2  # 3x3 conv + ReLU layers at the input resolution
    resize_mode: str = "nearest"  # only for method="resize"

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"Unknown method {self.method!r}: choose one of {', '.join(METHODS)}.")
        if self.kernel_size < 1 or self.stride < 1 or self.channels < 1 or self.feature_layers < 1:
            raise ValueError("kernel_size, stride, channels and feature_layers must be at least 1.")
        if self.method == "transposed" and self.kernel_size < self.stride:
            raise ValueError("A transposed convolution with kernel_size < stride leaves holes in the output.")
        if self.method == "resize" and self.kernel_size % 2 == 0:
            raise ValueError("Resize-convolution needs an odd kernel_size to keep the size ('same' padding).")

    @property
    def transposed_padding(self):
        """(padding, output_padding) so that ConvTranspose2d gives exactly stride * n outputs for n inputs:
        (n - 1) * s - 2 p + k + op = s * n  <=>  2 p - op = k - s."""
        output_padding = (self.kernel_size - self.stride) % 2
        return (self.kernel_size - self.stride + output_padding) // 2, output_padding

    def to_dict(self):
        return asdict(self)


CONFIGS = {
    "transposed_k3": UpsamplerConfig("transposed_k3", method="transposed", kernel_size=3),
    "transposed_k4": UpsamplerConfig("transposed_k4", method="transposed", kernel_size=4),
    "resize_conv": UpsamplerConfig("resize_conv", method="resize", kernel_size=3, resize_mode="nearest"),
}
LABELS = {
    "transposed_k3": "Transposed convolution, k = 3, s = 2",
    "transposed_k4": "Transposed convolution, k = 4, s = 2",
    "resize_conv": "Resize-convolution (nearest, then 3x3 convolution)",
}


def config(name):
    if name not in CONFIGS:
        raise ValueError(f"Unknown upsampler {name!r}: choose one of {', '.join(CONFIGS)}.")
    return CONFIGS[name]


def build(cfg):
    """The model for `cfg` (an UpsamplerConfig or a name): input (B, 1, H, W) -> output (B, 1, sH, sW)."""
    from collections import OrderedDict

    from torch import nn

    cfg = config(cfg) if isinstance(cfg, str) else cfg
    layers = OrderedDict()
    in_channels = 1
    for i in range(1, cfg.feature_layers + 1):
        layers[f"conv{i}"] = nn.Conv2d(in_channels, cfg.channels, 3, padding=1)
        layers[f"relu{i}"] = nn.ReLU()
        in_channels = cfg.channels
    if cfg.method == "transposed":
        padding, output_padding = cfg.transposed_padding
        layers["up"] = nn.ConvTranspose2d(in_channels, 1, cfg.kernel_size, stride=cfg.stride,
                                          padding=padding, output_padding=output_padding)
    else:
        layers["resize"] = nn.Upsample(scale_factor=cfg.stride, mode=cfg.resize_mode)
        layers["up"] = nn.Conv2d(in_channels, 1, cfg.kernel_size, padding=cfg.kernel_size // 2)
    return nn.Sequential(layers)


def downsample(image, factor=2):
    """2x2 average pooling (the inverse problem the networks learn); crops to a multiple of `factor`."""
    image = np.asarray(image, dtype=float)
    h, w = image.shape[-2] // factor * factor, image.shape[-1] // factor * factor
    image = image[..., :h, :w]
    return image.reshape(*image.shape[:-2], h // factor, factor, w // factor, factor).mean(axis=(-3, -1))


def untrained_model(name, seed=UNTRAINED_SEED):
    """The model `name` with PyTorch's default random initialisation under a fixed seed, drawn by a private
    generator (weights.seeded_model: the global RNG is neither read nor changed)."""
    return seeded_model(lambda: build(name), seed).eval()
