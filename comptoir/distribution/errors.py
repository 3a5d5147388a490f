"""Play's refusal: an action that cannot be done now (distribution.actions re-exports it)."""


class PlayError(Exception):
    """An action that cannot be done now; the message is for the agent."""
