"""Words and numbers for people: how designer writes speeds, lengths, switch modes and
protocols in every sentence it prints (reports, explanations, diagnoses)."""

from __future__ import annotations

from designer.inputs.catalog import SwitchMode

PROTOCOL_NAMES = {"infiniband": "InfiniBand", "ethernet": "Ethernet"}


def speed_text(port_speed_gbps: float) -> str:
    """``400.0 -> "400G"``."""
    return f"{port_speed_gbps:g}G"


def length_text(length_m: float | None) -> str:
    """``15.4 -> "15.4 m"``; ``None -> "unknown"``."""
    return "unknown" if length_m is None else f"{length_m:g} m"


def mode_text(mode: SwitchMode) -> str:
    """``"64 x 400G"``, with the native ports named when the mode is a breakout."""
    text = f"{mode.radix} x {speed_text(mode.port_speed_gbps)}"
    switch = mode.switch
    if mode.port_speed_gbps != switch.port_speed_gbps:
        text += f" (breakout of {switch.ports} x {speed_text(switch.port_speed_gbps)})"
    return text


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count:,} {word}s"
