"""The one exception type the CLI turns into a one-line error with exit status 2."""


class EdgeAIError(Exception):
    """A problem with the user's input (model, memory pools, options, output directory).

    The message is shown to the user as-is, on one line, so it must say what is wrong
    and, where possible, what would be accepted instead.
    """
