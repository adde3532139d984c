from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """An intranet: accounts are created by the administrator, nobody signs up alone."""

    def is_open_for_signup(self, request) -> bool:
        return False
