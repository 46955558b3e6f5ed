"""seminarbot: a discussion-seminar bot for Discord, Matrix and the terminal."""

__version__ = "0.1.0"
