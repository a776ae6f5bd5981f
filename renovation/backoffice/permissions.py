"""Permission policy for domain models in the Wagtail admin.

Records of public works are never deleted from the back office: a project is suspended, a
report rejected. Model permissions decide who sees which screens; the services decide, per
object, who may change what.
"""

from collections.abc import Iterable
from typing import Any

from wagtail.permission_policies import ModelPermissionPolicy


class KeepRecordsPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user: Any, action: str) -> bool:
        if action == "delete":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user: Any, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if action == "delete":
            return False
        return super().user_has_permission_for_instance(user, action, instance)
