"""The torch modules of the digit CNNs (engine/nets/digit_nets.py has their configurations and the registry).

    module_classes()["DigitNet"](config("max_pool"))   # what digit_nets.build("max_pool") returns

torch is imported on the first call of module_classes() only.
"""
from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

from engine.nets.digit_nets import CLASSES


@lru_cache(maxsize=1)
def module_classes():
    """The torch module classes, defined on first use so that importing this file does not import torch."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class SqueezeExcitation(nn.Module):
        """SE block: u (N, C, H, W) -> s * u with gates s = sigmoid(fc2(relu(fc1(mean_HW u)))) (N, C)."""

        def __init__(self, channels, reduction):
            super().__init__()
            self.fc1 = nn.Linear(channels, channels // reduction)
            self.fc2 = nn.Linear(channels // reduction, channels)

        def gates(self, u):
            z = u.mean(dim=(2, 3))  # (N, C) squeeze
            return torch.sigmoid(self.fc2(F.relu(self.fc1(z))))  # (N, C) excitation

        def forward(self, u):
            return u * self.gates(u)[:, :, None, None]

    class DigitNet(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            self.cfg = cfg
            in_channels = 1
            for i, out_channels in enumerate(cfg.channels, start=1):
                d = cfg.dilation(i - 1)
                stride = 2 if cfg.downsampling == "stride" and cfg.downsamples(i) else 1
                self.add_module(f"conv{i}", nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=d,
                                                      dilation=d))
                if cfg.se_reduction:
                    self.add_module(f"se{i}", SqueezeExcitation(out_channels, cfg.se_reduction))
                in_channels = out_channels
            self.fc = nn.Linear(in_channels * cfg.final_side ** 2, CLASSES)

        def _downsample(self, u):
            if self.cfg.downsampling == "max":
                return F.max_pool2d(u, 2)
            if self.cfg.downsampling == "avg":
                return F.avg_pool2d(u, 2)
            return u

        def forward(self, x):
            """x (N, 1, 28, 28) -> logits (N, 10)."""
            for i in range(1, self.cfg.stages + 1):
                x = F.relu(getattr(self, f"conv{i}")(x))
                if self.cfg.se_reduction:
                    x = getattr(self, f"se{i}")(x)
                if self.cfg.downsamples(i):
                    x = self._downsample(x)
            x = x.mean(dim=(2, 3)) if self.cfg.head == "gap" else x.flatten(1)
            return self.fc(x)

        def forward_with_activations(self, x, gate_override=None):
            """Same logits as forward(x), plus every intermediate map (see the module docstring).

            gate_override: {(block, channel): value} forces SE gate s_channel of block `block` (1-based, as in
            "gate1"; channel 0-based) to `value` in [0, 1] for every image, e.g. 0 to switch a channel off.
            The returned gate{i} are the gates actually applied. The module itself is never changed."""
            overrides = _check_overrides(self.cfg, gate_override)
            acts = {}
            for i in range(1, self.cfg.stages + 1):
                conv = getattr(self, f"conv{i}")
                if self.cfg.downsampling == "stride" and self.cfg.downsamples(i):  # stride 2 = stride 1, then ::2
                    u = F.relu(F.conv2d(x, conv.weight, conv.bias, stride=1, padding=conv.padding,
                                        dilation=conv.dilation))
                    acts[f"conv{i}"] = u
                    x = acts[f"stride{i}"] = u[:, :, ::2, ::2]
                    continue
                u = acts[f"conv{i}"] = F.relu(conv(x))
                if self.cfg.se_reduction:
                    s = getattr(self, f"se{i}").gates(u)  # (N, C)
                    forced = [(c, v) for (b, c), v in overrides.items() if b == i]
                    if forced:
                        s = s.clone()
                        for c, v in forced:
                            s[:, c] = v
                    acts[f"gate{i}"] = s[:, :, None, None]
                    u = acts[f"scaled{i}"] = u * acts[f"gate{i}"]
                if self.cfg.downsampling in ("max", "avg") and self.cfg.downsamples(i):
                    u = acts[f"pool{i}"] = self._downsample(u)
                x = u
            if self.cfg.head == "gap":
                x = acts["gap"] = x.mean(dim=(2, 3), keepdim=True)
            ordered = OrderedDict((name, acts[name]) for name in self.cfg.layer_names())
            return self.fc(x.flatten(1)), ordered

    return {"DigitNet": DigitNet, "SqueezeExcitation": SqueezeExcitation}


def _check_overrides(cfg, gate_override):
    """{(block, channel): value} -> {(int, int): float}, or ValueError saying what is wrong."""
    if not gate_override:
        return {}
    if not cfg.se_reduction:
        raise ValueError(f"The {cfg.name!r} network has no squeeze-and-excitation gates to override.")
    out = {}
    for key, value in dict(gate_override).items():
        try:
            block, channel = (int(k) for k in key)
        except (TypeError, ValueError):
            raise ValueError(f"gate_override keys are (block, channel) pairs, got {key!r}.") from None
        if not 1 <= block <= cfg.stages:
            raise ValueError(f"SE block {block} does not exist: blocks are numbered 1..{cfg.stages}.")
        if not 0 <= channel < cfg.channels[block - 1]:
            raise ValueError(f"Block {block} has channels 0..{cfg.channels[block - 1] - 1}, got {channel}.")
        value = float(value)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"A gate is a sigmoid output in [0, 1]; got {value} for {(block, channel)}.")
        out[block, channel] = value
    return out
