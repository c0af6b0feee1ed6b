"""Bearer-token authentication: who is calling and what they may do."""

from oms_graphql.auth.principal import ANONYMOUS, Principal
from oms_graphql.auth.tokens import TokenError, TokenVerifier, mint_token

__all__ = ["ANONYMOUS", "Principal", "TokenError", "TokenVerifier", "mint_token"]
