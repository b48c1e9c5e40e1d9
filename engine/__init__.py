"""ConvLab's engine: numpy operations mirroring torch.nn.functional, step traces, figures, lessons.

    from engine import conv1d, conv2d, pad
"""
from engine.ops.adaptive_pooling import adaptive_avg_pool2d, adaptive_max_pool2d
from engine.ops.arithmetic import conv_output_size, effective_kernel_size
from engine.ops.block_cost import BlockCost, CostRow, bottleneck_cost
from engine.ops.conv import conv1d, conv2d, convolve1d, convolve2d, correlate1d, correlate2d, dilate_kernel
from engine.ops.conv_matrix import conv_matrix
from engine.ops.conv_transpose import conv_transpose1d, conv_transpose2d, overlap_counts, trace_conv_transpose
from engine.ops.padding import PADDING_MODES, pad, resolve_padding
from engine.ops.padding_sources import CONSTANT, pad_sources
from engine.ops.pool_trace import PoolStep, PoolTrace, trace_pool
from engine.ops.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d, pool_output_size
from engine.ops.receptive_field import Layer, ReceptiveField, input_range, receptive_cells, receptive_field
from engine.ops.trace import ConvStep, ConvTrace, trace_conv
from engine.ops.unpooling import max_unpool1d, max_unpool2d

__all__ = [
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "trace_conv_transpose", "overlap_counts",
    "conv_matrix", "convolve1d", "convolve2d", "correlate1d", "correlate2d", "dilate_kernel", "pad",
    "resolve_padding", "PADDING_MODES", "pad_sources", "CONSTANT", "conv_output_size", "effective_kernel_size",
    "trace_conv", "ConvStep", "ConvTrace", "max_pool2d", "avg_pool2d", "pool_output_size",
    "Layer", "ReceptiveField", "receptive_field", "input_range", "receptive_cells",
    "max_pool1d", "avg_pool1d", "max_unpool1d", "max_unpool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d",
    "trace_pool", "PoolStep", "PoolTrace", "bottleneck_cost", "BlockCost", "CostRow",
]
