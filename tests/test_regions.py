"""Region codes an officer reads are named: 350302 is shown as 福建省莆田市城厢区, from the region table
python-stdnum ships (stdnum/cn/loc.dat), wherever the code was shown alone: the enterprises table,
the enterprise form and the office settings (under the code typed), ``stdaward office`` and
``stdaward enterprise``. A code the table does not know stays as the code."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GOOD_USCC, OTHER_USCC, run_main


def test_the_region_table_is_the_one_python_stdnum_ships():
    import stdnum

    table = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    assert table.is_file() and "城厢区" in table.read_text("utf-8")


@pytest.mark.parametrize("code,name", [
    ("350302", "福建省莆田市城厢区"),  # the seeds' places
    ("350500", "福建省泉州市"),
    ("330300", "浙江省温州市"),
    ("440100", "广东省广州市"),
    ("500107", "重庆市九龙坡区"),  # a municipality: no "市辖区" between
    ("110105", "北京市朝阳区"),
    ("350000", "福建省"),
    ("350111", "福建省福州市晋安区"),  # renamed (郊区 until 1994): the name in use now
    ("469001", "海南省五指山市"),  # a county-level city under the province: no grouping's name
    ("３５０３０２", "福建省莆田市城厢区"),  # typed in full-width digits
])
def test_a_known_code_reads_as_its_full_name(code, name):
    from desktop.core.regions import region_name, with_code

    assert region_name(code) == name
    assert with_code(code) == f"{code}（{name}）"


@pytest.mark.parametrize("code", ["999999", "350399", "35030", "3503021", "abcdef", "", "350302; DROP"])
def test_an_unknown_or_malformed_code_stays_as_typed(code):
    from desktop.core.regions import region_name, with_code

    assert region_name(code) == code.strip()
    assert with_code(code) == code.strip()


def test_a_build_without_the_region_table_shows_the_codes_and_says_why_in_the_log(monkeypatch, caplog):
    from stdnum import numdb

    from desktop.core import regions

    def missing(name: str):  # noqa: ANN202
        raise FileNotFoundError(f"no such file: stdnum/{name}.dat")

    monkeypatch.setattr(regions, "_table", None)
    monkeypatch.setattr(regions, "_names", {})
    monkeypatch.setattr(numdb, "get", missing)
    assert regions.region_name("350302") == "350302" and regions.with_code("350302") == "350302"
    assert regions.loaded() and "stdnum/cn/loc.dat" in caplog.text


def test_the_command_line_shows_the_office_and_an_enterprise_with_the_regions_name(tmp_path):
    db = str(tmp_path / "o.db")
    env = {"STDAWARD_LANG": "zh_CN"}
    assert run_main("demo", "--db", db, env=env).returncode == 0
    office = run_main("office", "--db", db, env=env).stdout
    assert "行政区划代码：350302（福建省莆田市城厢区）" in office, office
    r = run_main("office", "--region", "350303", "--db", db, env=env)
    assert r.returncode == 0 and "350303（福建省莆田市涵江区）" in r.stdout, r.stderr
    shown = run_main("enterprise", "913503020793379167", "--region", "350304", "--db", db, env=env)
    assert shown.returncode == 0 and "350304（福建省莆田市荔城区）" in shown.stdout, shown.stderr
    assert run_main("office", "--json", "--db", db, env=env).stdout.count("福建省") == 0  # --json keeps the code
    offices = run_main("offices", "--db", db, env=env).stdout  # this office as the city will register it
    assert "（福建省莆田市涵江区）" in offices and "350303" not in offices, offices


def _office_window(qtbot, db):  # noqa: ANN001, ANN202
    """城厢's office (region 350302) and the main window on it, shown."""
    from desktop.store import office
    from desktop.ui.app import make_app
    from desktop.ui.context import AppContext
    from desktop.ui.mainwindow import MainWindow

    make_app()
    office.update(name="莆田市城厢区市场监督管理局", region_code="350302", doc_prefix="城市监",
                  policy_id="putian-chengxiang-2021", signatory="莆田市城厢区市场监督管理局", user="tester")
    ctx = AppContext(db)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    return ctx, win


def test_the_enterprises_table_names_the_region_and_finds_rows_by_it(qtbot, db):
    pytest.importorskip("pytestqt")
    from desktop.operations import records

    ctx, win = _office_window(qtbot, db)
    try:
        records.load(ctx.session, {"enterprises": [{"uscc": GOOD_USCC, "name": "甲公司", "region": "350302"}]})
        records.save_enterprise(ctx.session, {"uscc": OTHER_USCC, "name": "乙公司", "region": "350399"})
        ctx.changed("enterprises")
        view = win.show_view("enterprises")
        ctx.tasks.wait()
        qtbot.waitUntil(lambda: _region_cells(view) == {"甲公司": "福建省莆田市城厢区", "乙公司": "350399"})
        view.search.setText("城厢区")
        assert view.proxy.rowCount() == 1 and view.proxy.index(0, 0).data() == "甲公司"
    finally:
        ctx.tasks.wait()
        win.close()


def _region_cells(view) -> dict[str, str]:  # noqa: ANN001
    col = [c.key for c in view.model.columns].index("region")
    return {view.model.index(r, 0).data(): view.model.index(r, col).data() for r in range(view.model.rowCount())}


def test_the_enterprise_form_and_the_settings_name_the_code_typed(qtbot, db):
    pytest.importorskip("pytestqt")
    from desktop.ui.views.enterprise_dialog import EnterpriseDialog

    ctx, win = _office_window(qtbot, db)
    try:
        dlg = EnterpriseDialog(ctx, None, win)
        qtbot.addWidget(dlg)
        dlg.show()
        hint = dlg.form.region_names["region"]
        assert hint.text() == "福建省莆田市城厢区" and hint.isVisibleTo(dlg)  # the office's code, filled in
        dlg.fields["region"].setText("999999")
        assert hint.text() == "" and not hint.isVisibleTo(dlg)
        dlg.fields["region"].setText("350305")
        assert hint.text() == "福建省莆田市秀屿区"
        settings = win.show_view("settings")
        settings.refresh()
        assert settings.form.region_names["region"].text() == "福建省莆田市城厢区"
    finally:
        ctx.tasks.wait()
        win.close()
