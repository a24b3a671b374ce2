"""The responsibility grid: complete, consistent with Microsoft's matrix, and ordered."""

import pytest

from msa_course.cloud import responsibility as r

MS_TO_WHO = {"customer": "you", "microsoft": "provider", "shared": "shared"}


def test_every_cell_has_a_party_and_a_one_line_reason():
    assert len(r.STACK) == len(r.LAYERS) * len(r.MODELS)
    for (layer, model), cell in r.STACK.items():
        assert cell.who in r.WHO
        assert cell.reason.strip() and "\n" not in cell.reason, (layer, model)


def test_cells_with_a_microsoft_row_agree_with_it():
    """Where Microsoft's official matrix covers a cell, the grid follows it: its single row's
    entry, or "shared" where the rows covering the layer disagree."""
    checked = 0
    for (layer, model), cell in r.STACK.items():
        view = r.microsoft_view(layer, model)
        if not view:
            assert cell.basis == "convention"
            continue
        assert cell.basis == "microsoft"
        entries = {MS_TO_WHO[e] for _, e in view}
        expected = entries.pop() if len(entries) == 1 else "shared"
        assert cell.who == expected, (layer, model, view)
        checked += 1
    assert checked == 7 * 4  # seven layers have a Microsoft row, in four columns


def test_caas_and_faas_columns_are_marked_convention():
    for layer in r.LAYERS:
        for model in r.CONVENTION_MODELS:
            assert r.cell(layer, model).basis == "convention"


def test_on_premises_is_all_yours_and_data_is_always_yours():
    assert set(r.column("on-premises").values()) == {"you"}
    assert set(r.row("data").values()) == {"you"}


def test_each_step_up_the_spectrum_leaves_you_no_more_to_operate():
    burdens = [r.burden(m) for m in r.MODELS]
    assert burdens == sorted(burdens, reverse=True)
    assert burdens[0] == 10 and burdens[-1] < burdens[1]


def test_source_claim_paas_includes_middleware_and_runtime():
    for layer in ("middleware", "runtime"):
        assert r.who(layer, "iaas") == "you"
        assert r.who(layer, "paas") == "provider"


def test_bad_names_raise_value_errors_naming_the_parameter():
    with pytest.raises(ValueError, match="model must be one of"):
        r.who("data", "xaas")
    with pytest.raises(ValueError, match="layer must be one of"):
        r.cell("kernel", "iaas")
    with pytest.raises(ValueError, match="party must be one of"):
        r.layers_by("iaas", "me")
