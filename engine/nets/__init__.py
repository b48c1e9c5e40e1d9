"""Small trained networks for the demonstrations (PyTorch, imported lazily).

    from engine.nets.loading import upsample, upsample_untrained
    from engine.nets.artifacts import checkerboard_score

Importing this package (or engine.nets.upsamplers / engine.nets.artifacts) does not import torch;
only building, training or running a model does.
"""
