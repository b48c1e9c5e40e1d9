"""SE block steps computed in numpy from the weights agree with the network's own forward pass."""
import numpy as np
import pytest

from engine.data.digits import example
from engine.nets import digit_loading
from engine.nets.digit_nets import SE_BY_REDUCTION
from engine.nets.se_steps import se_block_steps


@pytest.mark.parametrize("r,name", sorted(SE_BY_REDUCTION.items()))
@pytest.mark.parametrize("block", [1, 2])
def test_steps_reproduce_the_networks_gates_and_scaled_maps(r, name, block):
    image = example(3, 1)
    steps = se_block_steps(name, image, block)
    _, acts = digit_loading.activations(name, image)
    c = steps.u.shape[0]
    assert steps.reduction == r and steps.w1.shape == (c // r, c) and steps.w2.shape == (c, c // r)
    np.testing.assert_allclose(steps.z, steps.u.mean(axis=(1, 2)))
    np.testing.assert_allclose(steps.gates, acts[f"gate{block}"][:, 0, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(steps.scaled, acts[f"scaled{block}"], rtol=1e-4, atol=1e-5)
    assert steps.parameters == 2 * c * c // r + c // r + c
    assert np.all(steps.hidden >= 0) and np.all((steps.gates > 0) & (steps.gates < 1))


def test_nets_without_se_and_bad_blocks_are_refused():
    with pytest.raises(ValueError, match="no squeeze-and-excitation"):
        se_block_steps("max_pool", example(0), 1)
    with pytest.raises(ValueError, match="Block must be 1 to 2"):
        se_block_steps("se", example(0), 3)


def test_closing_one_gate_changes_little_and_closing_all_silences_the_block():
    """squeeze_excitation.md: 'Closing one gate changes little here; closing all gates of a block silences it.'"""
    from engine.data.digits import typical

    for digit in range(10):
        before, _ = digit_loading.activations("se", typical(digit))
        for block, channels in ((1, 16), (2, 32)):
            for c in range(channels):
                after, _ = digit_loading.activations("se", typical(digit), gate_override={(block, c): 0.0})
                assert abs(after[digit] - before[digit]) < 0.05 and after.argmax() == before.argmax()
            _, maps = digit_loading.activations("se", typical(digit),
                                                gate_override={(block, c): 0.0 for c in range(channels)})
            assert not maps[f"scaled{block}"].any()  # the block's output is all zeros
