"""One clipboard path for the TUI and ``margin cite --copy``.

The system clipboard (through pyperclip: xclip, xsel, wl-clipboard, pbcopy…) comes first. Where
there is none, as over SSH or with no display, the text goes to the terminal as an OSC 52
escape, which many terminal emulators turn into a clipboard write, also across SSH. margin
cannot see whether the terminal took it, so what it tells the analyst says only what it knows.

Inside tmux an OSC 52 from a program reaches nothing unless tmux lets it: with
``set-clipboard on`` tmux itself takes the plain escape into a paste buffer (and passes it on
to the outer terminal); with ``allow-passthrough on`` the escape wrapped in tmux's DCS
passthrough goes straight to the outer terminal. tmux's default, ``set-clipboard external``
with passthrough off, drops both. margin sends both forms and asks tmux which, if any, it takes.

This module does not import Textual: the command line uses it too.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Mapping, TextIO

SYSTEM = "system"
TERMINAL = "terminal"
NOWHERE = "nowhere"

INSTALL_ADVICE = "install xclip, xsel or wl-clipboard (with a display)"


@dataclass(frozen=True)
class Copied:
    """How one copy went: its ``route`` (SYSTEM, TERMINAL or NOWHERE) and what to tell a person.

    ``outcome`` completes a sentence that starts with what was copied ("Citation …").
    """

    route: str
    outcome: str

    @property
    def delivered(self) -> bool:
        """False when margin knows the text reached no clipboard."""
        return self.route != NOWHERE

    def message(self, what: str = "Citation") -> str:
        """The sentence for a notification or stderr: ``Citation copied to …``."""
        return f"{what} {self.outcome}"


COPIED_TO_SYSTEM = Copied(SYSTEM, "copied to the system clipboard")


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


# --- OSC 52 --------------------------------------------------------------------------------

def osc52(text: str) -> str:
    """The plain escape sequence that asks a terminal to put ``text`` on its clipboard."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{payload}\a"


def tmux_passthrough(sequence: str) -> str:
    """``sequence`` wrapped so tmux hands it to the outer terminal (if allow-passthrough is on).

    Inside the wrapper every ESC is doubled, so tmux can tell the wrapper's end from them.
    """
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


@dataclass(frozen=True)
class TmuxClipboard:
    """The two tmux options that decide where a program's OSC 52 goes (None: not known)."""

    set_clipboard: str | None
    allow_passthrough: str | None


def tmux_clipboard(environ: Mapping[str, str] | None = None) -> TmuxClipboard | None:
    """tmux's clipboard options for this pane; None when margin is not running inside tmux."""
    environ = os.environ if environ is None else environ
    if not environ.get("TMUX"):
        return None
    pane = environ.get("TMUX_PANE")
    # -A: the value in force for this pane, inherited from the window or globally.
    target = ["-t", pane] if pane else []
    return TmuxClipboard(_tmux_option(["-gv", "set-clipboard"]),
                         _tmux_option(["-Apv", *target, "allow-passthrough"]))


def _tmux_option(arguments: list[str]) -> str | None:
    try:
        shown = subprocess.run(["tmux", "show-options", *arguments], capture_output=True,
                               timeout=_COMMAND_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    value = shown.stdout.decode("utf-8", "replace").strip()
    return value if shown.returncode == 0 and value else None


def terminal_copy(text: str, tmux: TmuxClipboard | None = None,
                  in_tmux: bool = False) -> tuple[str, Copied]:
    """What to write to the terminal to copy ``text`` by OSC 52, and what that achieves.

    ``in_tmux`` with ``tmux`` None means tmux could not be asked about its options.
    """
    plain = osc52(text)
    if not in_tmux and tmux is None:
        return plain, Copied(TERMINAL, "sent to the terminal as OSC 52: it reaches the clipboard "
                                       "if the terminal accepts clipboard escapes")
    # Both forms: tmux takes the plain one with set-clipboard on, passes the wrapped one on with
    # allow-passthrough on, and silently drops whichever it does not take.
    sequence = plain + tmux_passthrough(plain)
    if tmux is None or tmux.set_clipboard is None or tmux.allow_passthrough is None:
        return sequence, Copied(TERMINAL, "sent to the terminal's clipboard (OSC 52); tmux "
                                          "passes it on only with set-clipboard on")
    if tmux.set_clipboard == "on":
        return sequence, Copied(TERMINAL, "copied to a tmux paste buffer (OSC 52), which tmux "
                                          "also offers the outer terminal's clipboard")
    if tmux.allow_passthrough != "off":
        return sequence, Copied(TERMINAL, "passed through tmux to the terminal as OSC 52: it "
                                          "reaches the clipboard if the terminal accepts "
                                          "clipboard escapes")
    return sequence, Copied(NOWHERE, f"not copied: tmux drops clipboard escapes from programs "
                                     f"(set-clipboard {tmux.set_clipboard}); run 'tmux set -g "
                                     f"set-clipboard on', or {INSTALL_ADVICE}")


def terminal_copy_here(text: str) -> tuple[str, Copied]:
    """:func:`terminal_copy` for the terminal margin runs in (asking tmux when inside it)."""
    return terminal_copy(text, tmux_clipboard(), in_tmux=bool(os.environ.get("TMUX")))


def copy_from_command_line(text: str, stream: TextIO | None = None) -> Copied:
    """Copy for ``margin cite --copy``: the system clipboard, else OSC 52 to ``stream`` when it
    is a terminal; otherwise nothing is copied and the result says what to install."""
    if copy_to_system(text):
        return COPIED_TO_SYSTEM
    stream = stream or sys.stdout
    if not stream.isatty():
        return Copied(NOWHERE, f"not copied: no clipboard here and no terminal to send it to; "
                               f"{INSTALL_ADVICE}")
    sequence, copied = terminal_copy_here(text)
    stream.write(sequence)
    stream.flush()
    return copied
