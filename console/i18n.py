"""The console's interface texts, in Spanish and English. Each page module registers its own texts:

    register({"answers.title": {"es": "Respuestas", "en": "Answers"}})

and templates write `{{ t("answers.title") }}`. The language is the one chosen in the page header (a cookie),
else the staff member's own, else Spanish. A key with no text in the chosen language falls back to Spanish, and
an unknown key shows itself, so a missing text is visible, never a crash.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

LANGUAGES = ("es", "en")
LANGUAGE_COOKIE = "console_lang"
TEXTS: dict[str, dict[str, str]] = {}


def register(texts: dict[str, dict[str, str]]) -> None:
    duplicated = set(texts) & set(TEXTS)
    clashing = [k for k in duplicated if TEXTS[k] != texts[k]]
    if clashing:
        raise ValueError(f"console texts registered twice with different wording: {sorted(clashing)}")
    TEXTS.update(texts)


def current_language() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE) if request else None
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return "es"


def t(key: str, **values: Any) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        return key
    template = entry.get(current_language()) or entry.get("es") or key
    return template.format(**values) if values else template


register({
    "app.name": {"es": "Brújula · consola", "en": "Brújula · console"},
    "nav.dashboard": {"es": "Panel", "en": "Dashboard"},
    "nav.answers": {"es": "Respuestas", "en": "Answers"},
    "nav.services": {"es": "Servicios", "en": "Services"},
    "nav.recruiters": {"es": "Agencias", "en": "Recruiters"},
    "nav.inbox": {"es": "Sin respuesta", "en": "Unanswered"},
    "nav.audit": {"es": "Registro de cambios", "en": "Audit log"},
    "nav.users": {"es": "Usuarios", "en": "Users"},
    "nav.account": {"es": "Mi cuenta", "en": "My account"},
    "nav.logout": {"es": "Salir", "en": "Log out"},
    "login.title": {"es": "Entrar", "en": "Log in"},
    "login.username": {"es": "Usuario", "en": "Username"},
    "login.password": {"es": "Contraseña", "en": "Password"},
    "login.submit": {"es": "Entrar", "en": "Log in"},
    "login.failed": {"es": "Usuario o contraseña incorrectos.", "en": "Wrong username or password."},
    "login.throttled": {"es": "Demasiados intentos. Espere un minuto y vuelva a intentar.",
                        "en": "Too many attempts. Wait a minute and try again."},
    "login.expired": {"es": "Su sesión terminó. Entre de nuevo.", "en": "Your session ended. Please log in again."},
    "logout.done": {"es": "Salió de la consola.", "en": "You are logged out."},
    "logout.everywhere": {"es": "Salir en todos los dispositivos", "en": "Log out everywhere"},
    "logout.everywhere_done": {"es": "Se cerraron todas sus sesiones.", "en": "All your sessions were ended."},
    "error.forbidden": {"es": "Su rol no permite abrir esta página.", "en": "Your role cannot open this page."},
    "error.not_found": {"es": "Esta página no existe.", "en": "This page does not exist."},
    "error.csrf": {"es": "El formulario venció o no es válido. Vuelva a cargar la página e inténtelo otra vez.",
                   "en": "The form expired or is not valid. Reload the page and try again."},
    "error.too_large": {"es": "El archivo es demasiado grande.", "en": "The file is too large."},
    "error.server": {"es": "Algo falló. No se guardó nada. Inténtelo otra vez.",
                     "en": "Something failed. Nothing was saved. Please try again."},
    "common.save": {"es": "Guardar", "en": "Save"},
    "common.cancel": {"es": "Cancelar", "en": "Cancel"},
    "common.filter": {"es": "Filtrar", "en": "Filter"},
    "common.all": {"es": "Todos", "en": "All"},
    "common.none": {"es": "Nada que mostrar.", "en": "Nothing to show."},
    "common.back": {"es": "Volver", "en": "Back"},
    "common.saved": {"es": "Guardado.", "en": "Saved."},
    "role.editor": {"es": "editor(a)", "en": "editor"},
    "role.reviewer": {"es": "revisor(a)", "en": "reviewer"},
    "role.admin": {"es": "administrador(a)", "en": "admin"},
})
