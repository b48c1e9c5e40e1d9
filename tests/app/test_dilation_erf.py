"""The dilation lesson's effective receptive field: the caption's shares are what the measured gradient gives."""
from engine.data.digits import CANVAS
from engine.nets.digit_loading import label
from engine.nets.effective_rf import effective_field, gaussian_fit, layer_stack, map_layers, profile
from engine.ops.receptive_field import receptive_field
from tests.app.checks import assert_clean, assert_link_note

PAGE = "dilation.py"


def _caption(at):
    return next(c.value for c in at.caption if c.value.startswith("Measured: the gradient"))


def _share_table(at):
    return next(d.value for d in at.dataframe if "share of the mass" in d.value.columns)


def _smallest(erf, share):
    """The smallest centred k x k window (k of the field's parity) with `share` of the mass, counted here."""
    total = erf.map.sum()
    for k in range(erf.size % 2 or 2, erf.size + 1, 2):
        lo = int(round(erf.centre - (k - 1) / 2))
        rows = slice(max(lo, 0), min(lo + k, CANVAS))
        if erf.map[rows, rows].sum() >= share * total - 1e-9:
            return k


def _check_caption(at, name, layer):
    erf = effective_field(name, layer)
    size = receptive_field(layer_stack(name, layer))[-1].size
    text = _caption(at)
    k50, k90 = _smallest(erf, 0.5), _smallest(erf, 0.9)
    assert f"map `{layer}` ({erf.side} × {erf.side}" in text
    assert f"the theoretical receptive field is **{size} × {size}** pixels" in text
    assert f"Half the gradient mass lies in the central **{k50} × {k50}** pixels" in text
    assert f"90% in **{k90} × {k90}** ({k90 * k90 / size ** 2:.0%} of the theoretical field's area)" in text
    _, _, sigma, r2 = gaussian_fit(profile(erf))
    assert f"σ = {sigma:.2f} pixels, R² = {r2:.2f}" in text
    table = _share_table(at)
    assert table.index[-1] == f"{size} × {size}" and table["share of the mass"].iloc[-1] == "100.0%"
    return erf, k50, k90


def test_default_is_the_dilated_net_with_a_field_smaller_than_theory(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    assert at.selectbox(key="dl_erf_net").value == label("global_pool")
    assert at.segmented_control(key="dl_erf_layer").value == "conv4"
    erf, k50, k90 = _check_caption(at, "global_pool", "conv4")
    assert "(more than the whole input)" in _caption(at)
    assert k50 <= k90 < erf.size  # the field it uses is smaller than the one it has


def test_network_and_map_controls_change_the_measurement(open_page):
    at = open_page(PAGE)
    at.selectbox(key="dl_erf_net").set_value(label("max_pool")).run()
    assert_clean(at)
    control = at.segmented_control(key="dl_erf_layer")
    assert list(control.options) == list(map_layers("max_pool"))
    assert control.value == "pool2"  # conv4 is not a map of this net: its last map instead
    _check_caption(at, "max_pool", "pool2")
    assert "(rows and columns 9 to 18)" in _caption(at)
    at.segmented_control(key="dl_erf_layer").set_value("conv2").run()
    _check_caption(at, "max_pool", "conv2")
    at.selectbox(key="dl_erf_net").set_value(label("strided")).run()
    at.segmented_control(key="dl_erf_layer").set_value("stride2").run()
    assert_clean(at)
    _check_caption(at, "strided", "stride2")


def test_preset_and_bad_link(open_page):
    at = open_page(PAGE, {"dl_erf_net": "Max pooling 2x2", "dl_erf_layer": "conv1"})
    _check_caption(at, "max_pool", "conv1")
    at.button(key="preset_effective-field").click().run()
    assert_clean(at)
    _check_caption(at, "global_pool", "conv4")
    at = open_page(PAGE, {"dl_erf_net": "<b>resnet</b>"})
    assert_link_note(at, ["dl_erf_net"])
    _check_caption(at, "global_pool", "conv4")
