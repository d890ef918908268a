"""The importer under fuzzing, a short run (``bench/faults.py`` runs it for minutes): whatever
the file holds, margin either stores an article or refuses it with its own error."""

from __future__ import annotations

from pathlib import Path

from fuzzing import FILES, import_file
from hypothesis import HealthCheck, given, settings


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(FILES)
def test_any_text_markdown_or_html_file_imports_or_is_refused_with_margins_error(tmp_path, file):
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    suffix, data = file
    import_file(folder, suffix, data)
