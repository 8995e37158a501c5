"""Ask an X11 window to close the way a window manager's close button does.

The CI smoke test needs to check that the frozen app shuts down cleanly when the user
closes its window. Under a bare Xvfb there is no window manager to press the close
button, Debian 12's xdotool (3.20160805) has no `windowquit`, and `windowclose`/`windowkill`
destroy the window or kill the client, which is a crash, not a close. So this sends the
WM_PROTOCOLS / WM_DELETE_WINDOW client message itself, through libX11 and ctypes (no
extra package), which Tk turns into its normal WM_DELETE_WINDOW protocol handler.

    python build/x11_close.py WINDOW_ID      (decimal, as `xdotool search` prints it)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    """Xlib's XEvent is a union padded to 24 longs; XSendEvent copies all of it."""

    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


CLIENT_MESSAGE = 33  # X.h ClientMessage
CURRENT_TIME = 0


def send_wm_delete(window: int, display_name: bytes | None = None) -> None:
    """Send WM_DELETE_WINDOW to `window`; raises OSError when X cannot be reached."""
    path = ctypes.util.find_library("X11")
    if not path:
        raise OSError("libX11 not found")
    xlib = ctypes.cdll.LoadLibrary(path)
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
    xlib.XFlush.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]

    display = xlib.XOpenDisplay(display_name)
    if not display:
        raise OSError("cannot open the X display (is DISPLAY set?)")
    try:
        event = XEvent()
        event.xclient.type = CLIENT_MESSAGE
        event.xclient.send_event = 1
        event.xclient.display = display
        event.xclient.window = window
        event.xclient.message_type = xlib.XInternAtom(display, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.data[0] = xlib.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        event.xclient.data[1] = CURRENT_TIME
        if not xlib.XSendEvent(display, window, 0, 0, ctypes.byref(event)):
            raise OSError(f"XSendEvent to window {window} failed")
        xlib.XFlush(display)
    finally:
        xlib.XCloseDisplay(display)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    send_wm_delete(int(args[0], 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
