from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "renovation.projects"
    label = "projects"
    verbose_name = _("Renovation projects")

    def ready(self) -> None:
        from .private_files import register_progress_photos

        register_progress_photos()
