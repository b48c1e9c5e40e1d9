"""The PyTorch code a student would type for the current settings, every kind in one place (tests run it).

single_channel: one-channel ops with x and k as literals; channels: layers over channels and groups;
networks: blocks and whole networks as nn.Module code.
"""
from engine.pytorch_code.channels import (channel_conv_code, grouped_conv_code, layout_code, pointwise_code,
                                          separable_conv_code)
from engine.pytorch_code.networks import mbconv_block_code, network_code
from engine.pytorch_code.single_channel import (TORCH_MODE, conv_code, conv_matrix_code, conv_transpose_code,
                                                pad_conv_code, pool_code, preamble, receptive_field_code,
                                                separable_kernel_code, torch_pad)

__all__ = ["TORCH_MODE", "channel_conv_code", "conv_code", "conv_matrix_code", "conv_transpose_code",
           "grouped_conv_code", "layout_code", "mbconv_block_code", "network_code", "pad_conv_code", "pointwise_code",
           "pool_code", "preamble", "receptive_field_code", "separable_conv_code", "separable_kernel_code",
           "torch_pad"]
