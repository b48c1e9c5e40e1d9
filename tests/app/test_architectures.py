"""The architectures lesson: totals and captions computed by the engine, the input-size section, bad links."""
from engine.nets.architectures import NETWORKS
from tests.app.checks import assert_clean


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_defaults_show_vgg16_computed(open_page):
    at = open_page("architectures")
    assert_clean(at)
    report = NETWORKS["vgg16"].report()
    assert metric(at, "Parameters") == "138 M" and report.params == 138_357_544
    assert metric(at, "Multiply-adds") == "15.5 G"
    table = at.dataframe[0].value
    assert list(table["layer"]) == [r.name for r in report.rows]
    assert list(table["parameters"]) == [r.params for r in report.rows]
    caption = next(c.value for c in at.caption if c.value.startswith("VGG-16"))
    assert "the 3 linear layers hold **89 %** of the parameters" in caption
    assert not at.code, "the network's code is built only when its expander is opened"
    at.session_state["na_code_open"] = True
    at.run()
    scope = {}
    exec(at.code[0].value, scope)  # noqa: S102 (the page's own generated code, on the meta device)
    assert sum(p.numel() for p in scope["model"].parameters()) == report.params


def test_global_pooling_keeps_the_weights_and_flatten_does_not(open_page):
    at = open_page("architectures", {"na_net": "ResNet-50", "na_side": "448"})
    assert_clean(at)
    sizes = at.dataframe[1].value
    assert list(sizes["output"]) == ["1000", "1000"] and sizes["parameters"][0] == sizes["parameters"][1]
    assert list(sizes["last map"]) == ["2048 × 7 × 7", "2048 × 14 × 14"]
    assert any("same weights serve both sizes" in m.value for m in at.markdown)
    at = open_page("architectures", {"na_net": "AlexNet", "na_side": "320"})
    sizes = at.dataframe[1].value
    assert sizes["parameters"][0] != sizes["parameters"][1]
    assert any("fit one input size only" in m.value for m in at.markdown)


def test_a_size_where_the_map_vanishes_names_the_layer(open_page):
    at = open_page("architectures", {"na_net": "AlexNet", "na_side": "16"})
    assert_clean(at)
    assert [w.value for w in at.warning] == [
        "At 16 × 16: pool2 (max pool 3x3): its 3-cell kernel does not fit the 1-cell input padded to 1 (the map "
        "has shrunk to nothing: remove a downsampling layer before it, or pad more)."]
    assert len(at.dataframe[1].value) == 1  # only the working size is tabled


def test_every_network_renders(open_page):
    at = open_page("architectures")
    for title in at.selectbox(key="na_net").options:
        at.selectbox(key="na_net").select(title).run()
        assert not at.exception, title
        assert metric(at, "Parameters")
