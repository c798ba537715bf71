"""API permissions: the same capabilities and project scopes as the web pages."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from resettlement.accounts.access import Capability, user_can


class HasCapability(BasePermission):
    """Reads need the view's `read_capability`, writes its `write_capability`, on some project
    (the queryset narrows to the projects where it holds); objects are checked per project."""

    def _capability(self, request, view) -> Capability | None:
        if request.method in SAFE_METHODS:
            return view.read_capability
        return getattr(view, "write_capability", None)

    def has_permission(self, request, view) -> bool:
        capability = self._capability(request, view)
        return capability is not None and user_can(request.user, capability)

    def has_object_permission(self, request, view, obj) -> bool:
        capability = self._capability(request, view)
        project = view.project_of(obj)
        return capability is not None and user_can(request.user, capability, project)
