"""One clipboard path for the TUI and ``margin cite --copy``.

The system clipboard (through pyperclip: xclip, xsel, wl-clipboard, pbcopy…) comes first. Where
there is none, as over SSH or with no display, the text goes to the terminal as an OSC 52
escape, which most terminal emulators turn into a clipboard write, also across SSH. This module
does not import Textual: the command line uses it too.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from typing import TextIO

from store.errors import MarginError

SYSTEM = "the system clipboard"
TERMINAL = "the terminal (OSC 52)"


def copy_to_system(text: str) -> bool:
    """Copy with pyperclip; False when this machine has no clipboard program or display."""
    import pyperclip

    # pyperclip chooses its mechanism once; choosing again each time notices a display or a
    # clipboard program that appeared after the first copy.
    copy, _paste = pyperclip.determine_clipboard()
    command = _QUIET_COMMANDS.get(getattr(copy, "__name__", ""))
    if command is not None:
        return _run_quietly(command, text)
    try:
        copy(text)
    except pyperclip.PyperclipException:
        return False
    return True


# pyperclip runs these programs without looking at their exit status and lets their error
# messages through, which would report a copy to a display that has gone (a stale $DISPLAY
# over SSH) as done and print over the TUI. For these we run pyperclip's choice ourselves.
_QUIET_COMMANDS = {
    "copy_xclip": ["xclip", "-selection", "clipboard"],
    "copy_xsel": ["xsel", "--clipboard", "--input"],
    "copy_wl": ["wl-copy"],
}
_COMMAND_TIMEOUT = 3.0


def _run_quietly(command: list[str], text: str) -> bool:
    """Feed ``text`` to a clipboard program; True if it took it (exit status 0)."""
    try:
        finished = subprocess.run(command, input=text.encode("utf-8"), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=_COMMAND_TIMEOUT,
                                  check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return finished.returncode == 0


def osc52(text: str) -> str:
    """The escape sequence that asks the terminal to put ``text`` on the clipboard."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    sequence = f"\x1b]52;c;{payload}\a"
    if os.environ.get("TMUX"):
        # tmux passes an escape on to the outer terminal only inside its own wrapper.
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def copy_from_command_line(text: str, stream: TextIO | None = None) -> str:
    """Copy for ``margin cite --copy``; returns how the text went (``SYSTEM`` or ``TERMINAL``)."""
    if copy_to_system(text):
        return SYSTEM
    stream = stream or sys.stdout
    if stream.isatty():
        stream.write(osc52(text))
        stream.flush()
        return TERMINAL
    raise MarginError("no clipboard to copy to",
                      "install xclip, xsel or wl-clipboard (with a display), or run in a terminal "
                      "that accepts OSC 52")
