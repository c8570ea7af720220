"""watcher: follows release-news articles and reports what their claims say."""

__all__ = ["__version__"]

__version__ = "0.1.0"
