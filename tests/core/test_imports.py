"""tui.core stays usable from a plain script: importing all of it loads no Textual module."""

import subprocess
import sys


def test_core_imports_no_textual() -> None:
    code = (
        "import sys, pkgutil, importlib, tui.core\n"
        "for module in pkgutil.iter_modules(tui.core.__path__):\n"
        "    importlib.import_module('tui.core.' + module.name)\n"
        "assert 'tui.core.session' in sys.modules\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('textual', 'rich')))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_parser_and_cli_options_need_no_torch() -> None:
    """Bad options are refused (and IDs parsed) before torch is imported."""
    code = "import sys, tui.cli, tui.core.parse, tui.core.spec; print('torch' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"


def test_the_app_starts_without_torch_or_plotext() -> None:
    """The first frame comes before torch has loaded (the job that makes the layer imports it), and the map's
    plotting library loads with the first map."""
    code = "import sys, tui.app; print(sorted({name.split('.')[0] for name in sys.modules} & {'torch', 'plotext', 'textual_plotext'}))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
