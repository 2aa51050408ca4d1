"""Who may call the CRM staff API: a staff member whose session passed the TOTP step, holding
the Django permission the view names (`required_permission`, or per method in
`required_permissions`)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from backend.middleware import session_used_second_factor


class CrmStaffPermission(BasePermission):
    message = "Staff sign-in with a second factor and the CRM permission are required."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        if not session_used_second_factor(request._request):
            return False
        per_method = getattr(view, "required_permissions", {}) or {}
        needed = per_method.get(request.method, getattr(view, "required_permission", "crm.view_client"))
        needed = [needed] if isinstance(needed, str) else list(needed)
        return all(user.has_perm(perm) for perm in needed)
