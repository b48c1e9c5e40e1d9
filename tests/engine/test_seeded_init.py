"""Initial weights from a private generator (issue 13, item 5): torch.manual_seed seeds the process-wide
generator, which every session's thread shares, so concurrent training runs got each other's seeds."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from engine.nets import pixel_order, upsamplers
from engine.nets.train_upsamplers import untrained_model
from engine.nets.weights import seeded_init, seeded_model

KINDS = [("cnn", False), ("mlp", False), ("mlp", True)]


def old_way(build, seed):
    """What the code did before: seed the global generator, build (PyTorch's default initialisation)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def same(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
@pytest.mark.parametrize("seed", [0, 3])
def test_seeded_init_draws_what_manual_seed_drew(kind, seed):
    build = lambda: pixel_order.build(kind)  # noqa: E731
    assert same(seeded_init(build(), seed), old_way(build, seed))
    assert not same(seeded_init(build(), seed), seeded_init(build(), seed + 1))


@pytest.mark.parametrize("name", list(upsamplers.CONFIGS))
def test_untrained_upsamplers_are_the_same_as_before(name):
    assert same(untrained_model(name, 7), old_way(lambda: upsamplers.build(name).eval(), 7))


def test_an_unknown_module_with_parameters_is_refused():
    with pytest.raises(ValueError, match="no rule for LayerNorm"):
        seeded_init(torch.nn.Sequential(torch.nn.LayerNorm(3)), 0)


def test_concurrent_runs_each_get_their_own_seed():
    """Eight threads build 48 models of seeds 0..5 while another thread keeps reseeding the global generator:
    every model equals the one its seed gives alone."""
    alone = {(kind, shuffled, seed): pixel_order.initial_model(kind, shuffled, seed)
             for kind, shuffled in KINDS for seed in range(6)}
    stop = threading.Event()

    def meddle():
        n = 0
        while not stop.is_set():
            torch.manual_seed(n)
            torch.rand(100)
            n += 1

    meddler = threading.Thread(target=meddle)
    meddler.start()
    try:
        jobs = [key for _ in range(2) for key in alone]
        with ThreadPoolExecutor(8) as pool:
            models = list(pool.map(lambda key: pixel_order.initial_model(*key), jobs))
    finally:
        stop.set()
        meddler.join()
    wrong = [key for key, model in zip(jobs, models) if not same(model, alone[key])]
    assert not wrong, f"{len(wrong)} of {len(jobs)} runs got other weights: {wrong[:3]}"


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_seeded_model_leaves_the_global_generator_alone(kind):
    state = torch.get_rng_state()
    model = seeded_model(lambda: pixel_order.build(kind), 2)
    assert torch.equal(torch.get_rng_state(), state)
    assert same(model, old_way(lambda: pixel_order.build(kind), 2))
    assert all(not p.is_meta for p in model.state_dict().values())
