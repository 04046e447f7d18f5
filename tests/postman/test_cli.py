"""``mock-server postman``: the files it writes, offline and through a running sandbox."""

import json

from mock_server.cli import main
from mock_server.core.postman import SCHEMA
from mock_server.registry import PROVIDERS


def test_offline_it_writes_a_collection_and_an_environment_per_provider(tmp_path, capsys):
    assert main(["postman", "--offline", "-o", str(tmp_path / "out"), "joss", "sales-order"]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [
        "joss.postman_collection.json",
        "joss.postman_environment.json",
        "sales_order.postman_collection.json",
        "sales_order.postman_environment.json",
    ]
    assert capsys.readouterr().out.count(".json") == 4  # one line per file
    joss = json.loads((tmp_path / "out" / "joss.postman_collection.json").read_text())
    assert joss["info"]["schema"] == SCHEMA
    environment = json.loads((tmp_path / "out" / "joss.postman_environment.json").read_text())
    values = {v["key"]: v["value"] for v in environment["values"]}
    port = next(p for p in PROVIDERS if p.name == "joss").settings_cls().port
    assert values["base_url"] == f"http://127.0.0.1:{port}"
    assert values["client_id"] == "joss-sandbox-client"


def test_without_a_provider_it_writes_all_of_them(tmp_path):
    assert main(["postman", "--offline", "-o", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.postman_collection.json"))) == len(PROVIDERS)
    assert len(list(tmp_path.glob("*.postman_environment.json"))) == len(PROVIDERS)


def test_an_unknown_provider_is_named_with_the_nearest_one(tmp_path, capsys):
    assert main(["postman", "--offline", "-o", str(tmp_path), "jos"]) == 2
    err = capsys.readouterr().err
    assert "unknown provider 'jos'; did you mean 'joss'?" in err
    assert list(tmp_path.iterdir()) == []


def test_with_no_sandbox_answering_it_says_so_and_builds_here(tmp_path, capsys):
    from tests.server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    assert main(["postman", "--admin-url", url, "-o", str(tmp_path), "kyc"]) == 0
    assert f"no sandbox answers at {url}" in capsys.readouterr().err
    assert (tmp_path / "kyc.postman_collection.json").exists()


def test_an_output_that_cannot_be_written_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["postman", "--offline", "-o", str(blocker / "sub"), "joss"]) == 2
    assert "cannot write into" in capsys.readouterr().err
