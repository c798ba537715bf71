"""API token authentication against our own tokens (accounts.tokens): hashed, expiring,
revocable. The header is DRF's usual `Authorization: Token <key>`; a refused token is a 401
that says why (invalid, expired on a date, revoked, account disabled)."""

from django.core.exceptions import ValidationError
from rest_framework import authentication, exceptions

from resettlement.accounts.tokens import api_token_check


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        try:
            token = api_token_check(key)
        except ValidationError as error:
            raise exceptions.AuthenticationFailed(error.messages[0]) from None
        return token.user, token
