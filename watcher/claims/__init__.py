"""The claims engine: release news in, claims with evidence out (pure)."""

from watcher.claims.engine import extract_claims
from watcher.claims.model import ArticleClaims, Claim

__all__ = ["ArticleClaims", "Claim", "extract_claims"]
