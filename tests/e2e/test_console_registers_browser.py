"""The recruiter register in a real browser: a reviewer imports a CSV with a bad row (nothing imported, the row
named), then a good one; the web chat then answers "¿la agencia X es legal?" from the register. The agencies
are fictional and used by no other test."""
from __future__ import annotations

import pytest

from tests.e2e.console_stack import ask, chat_page, console_page

pytestmark = [pytest.mark.e2e, pytest.mark.model]

SOURCE = "https://registro.example.org/agencias"
HEADER = "name,licence_number,status,source_url,checked_on,notes\n"
GOOD = (HEADER + f"Empleos Quimera Ficticia,FICT-1,authorised,{SOURCE},2026-01-15,\n"
        + f"Viajes Espejismo Inventado,,fraudulent,{SOURCE},2026-02-20,\n")
BAD = GOOD + f"Colocaciones Humo Irreal,,aprobada,{SOURCE},2026-03-10,\n"


def import_csv(page, stack, text: str) -> None:
    page.goto(f"{stack.console_url}/recruiters/import")
    page.get_by_label("Archivo CSV (UTF-8)").set_input_files(
        {"name": "agencias.csv", "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_role("button", name="Importar CSV").click()


def test_a_reviewer_imports_the_register_and_the_bot_answers_from_it(console_stack, chromium):
    staff = console_page(chromium, console_stack, "rosa")
    import_csv(staff, console_stack, BAD)
    errors = staff.locator("#import-errors")
    assert "No se importó nada." in errors.inner_text()
    assert "Fila 4: estado desconocido «aprobada» (authorised, suspended o fraudulent)." in errors.inner_text()
    staff.goto(f"{console_stack.console_url}/recruiters/?name=Ficticia")
    assert staff.locator("tr.recruiter").count() == 0

    import_csv(staff, console_stack, GOOD)
    assert "Importado: 2 nuevos, 0 cambiados, 0 sin cambios." in staff.locator(".flash").inner_text()
    assert staff.locator("tr.recruiter", has_text="Empleos Quimera Ficticia").is_visible()

    chat = chat_page(chromium, console_stack)
    authorised = ask(chat, "¿la agencia Empleos Quimera Ficticia es legal?")
    assert authorised.startswith("Empleos Quimera Ficticia aparece como autorizada en el registro (verificado el "
                                 f"15/01/2026). Fuente: {SOURCE}")
    fraudulent = ask(chat, "¿la agencia Viajes Espejismo Inventado es legal?")
    assert fraudulent.startswith("¡Cuidado! Viajes Espejismo Inventado fue reportada como fraudulenta (registro "
                                 "verificado el 20/02/2026). No le pague ni le entregue nada.")
    unknown = ask(chat, "¿la agencia Trabajos Nube Azul es legal?")
    assert unknown.startswith("No encuentro Trabajos Nube Azul en el registro. Antes de pagar o firmar, pregunte "
                              "al MINTRAB si la agencia está inscrita y autorizada.")
