"""Exceptions raised by designer.

Every error the tool raises on purpose derives from :class:`DesignerError`, so a procurement
script can catch one class. Bad input, an impossible demand and a failed solve are different
subclasses because a caller reacts to each differently (fix the file, relax the demand, retry
with more time). Each carries the CLI exit code of ``docs/interface.md``.
"""

from __future__ import annotations


class DesignerError(Exception):
    """Base class of every error designer raises on purpose."""

    exit_code = 1

    @property
    def headline(self) -> str:
        """The first line of the message: what the CLI prints on stderr."""
        return str(self).splitlines()[0] if str(self) else type(self).__name__


class InputError(DesignerError):
    """A catalog or demand is invalid (schema or semantic). Exit code 1.

    ``problems`` lists every problem found, each as ``"<file>: <key path>: <what is wrong>"``.
    """

    exit_code = 1

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{self.problems[0]} (and {len(self.problems) - 1} more problems)\n"
            message += "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class InfeasibleError(DesignerError):
    """No design in the design space meets the demand. Exit code 3.

    ``reason``, when known, says why as a value a caller reads by field
    (:class:`designer.diagnose.Infeasibility`: ``limit``, ``shortfall``, ``fix``, ``text``).
    """

    exit_code = 3

    def __init__(self, message: str, reason=None):
        super().__init__(message)
        self.reason = reason


class SolverError(DesignerError):
    """The solver failed, or hit its time limit without a feasible design. Exit code 4."""

    exit_code = 4
