"""The portability ZIP's CSV files never hand a spreadsheet a formula to run."""

from __future__ import annotations

import csv
import io
import zipfile

from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.rights.export import _cell
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, NAME, PHONE, collect
from tests.rights.test_fulfilment import package, run

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_cells_that_look_like_formulas_are_quoted() -> None:
    for value in FORMULAS:
        assert _cell(value) == "'" + value
    assert _cell("Quartermaine Mills") == "Quartermaine Mills"
    assert _cell(None) == ""
    assert _cell(-5) == "'-5"


def test_portability_csv_quotes_formula_values(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(
        web,
        system_key,
        data={"name": NAME, "email": EMAIL, "company": '=HYPERLINK("http://evil.example","x")'},
    )
    done = run(mailer, smtp, web, type="portability", match={"phone": PHONE})
    response = package(web, done, format="zip")
    assert response.status_code == 200, response.text
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = list(csv.DictReader(io.StringIO(archive.read("identification.csv").decode())))
    (row,) = rows
    assert row["company"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["name"] == NAME
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
