from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """An intranet: accounts are created by the administrator, nobody signs up alone."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed logins count per address *and client*: whoever knows an agent's address
        can only lock themselves out, never its owner signing in from elsewhere.

        The per-client limit of ACCOUNT_RATE_LIMITS (`10/m/ip`) still bounds a client trying
        many addresses. allauth keys this limit on the address alone; the key is its own
        helper, overridden here (a test proves the behaviour, so an upgrade that renames it
        fails loudly)."""
        address = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{address}:{self.get_client_ip(request)}"
