from django.utils.functional import SimpleLazyObject

from resettlement.accounts.access import Capability, roles_of, user_can


class _Abilities:
    """`{% if can.view_households %}` in templates: the capability on some project."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name: str) -> bool:
        try:
            capability = Capability(name)
        except ValueError:
            raise AttributeError(name) from None
        return user_can(self._user, capability)


def access(request):
    return {
        "can": _Abilities(request.user),
        "user_roles": SimpleLazyObject(lambda: sorted(roles_of(request.user))),
    }
