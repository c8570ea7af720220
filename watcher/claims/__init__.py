"""The claims engine: release news in, claims with evidence out (pure)."""

from watcher.claims.model import ArticleClaims, Claim

__all__ = ["ArticleClaims", "Claim"]
