"""The gazetteer (content/places/) and `find_place`: names in messages, with and without accents, the rules."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.language.places import PLACES_DIR, Place, find_place, gazetteer, is_common_name, place_spans


def _rows(name: str) -> list[dict[str, str]]:
    with (PLACES_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


# --- the data ------------------------------------------------------------------------------------------


def test_gazetteer_files_are_complete_and_sourced():
    municipalities = _rows("guatemala.tsv")
    departments = _rows("departments.tsv")
    cities = _rows("border_cities.tsv")
    assert len(departments) == 22
    assert len(municipalities) == 340
    assert {r["department"] for r in municipalities} == {r["department"] for r in departments}
    assert len({(r["municipality"], r["department"]) for r in municipalities}) == 340
    assert {r["country"] for r in cities} == {"MX", "US"}
    for row in municipalities + departments + cities + _rows("aliases.tsv"):
        assert row["source"].startswith(("http://", "https://")), row
    for row in departments + cities:
        lat, lon = float(row["latitude"]), float(row["longitude"])
        assert 13.5 < lat < 34 and -118 < lon < -88, row  # Guatemala to the US border
    for row in departments:  # every capital is one of the department's municipalities
        assert {"municipality": row["capital"], "department": row["department"]} in [
            {"municipality": r["municipality"], "department": r["department"]} for r in municipalities]


def test_gazetteer_readme_documents_every_file():
    readme = (PLACES_DIR / "README.md").read_text(encoding="utf-8")
    for path in Path(PLACES_DIR).glob("*.tsv"):
        assert path.name in readme


def test_department_capital_coordinates_are_the_capitals():
    guatemala = find_place("estoy en la ciudad de guatemala")
    assert guatemala == Place("Guatemala", "municipality", "Guatemala", "GT", 14.6133, -90.5353, "city")


# --- finding places ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, name, kind, region, country",
    [
        ("Estoy en Huehuetenango", "Huehuetenango", "department", "Huehuetenango", "GT"),
        ("estoy en huehuetenango", "Huehuetenango", "department", "Huehuetenango", "GT"),
        ("ESTOY EN HUEHUETENANGO!!", "Huehuetenango", "department", "Huehuetenango", "GT"),
        ("ando en tapachula", "Tapachula", "city", "Chiapas", "MX"),
        ("estamos en ciudad juarez", "Ciudad Juárez", "city", "Chihuahua", "MX"),
        ("Estamos en Ciudad Juárez, Chihuahua", "Ciudad Juárez", "city", "Chihuahua", "MX"),
        ("I'm in El Paso", "El Paso", "city", "Texas", "US"),
        ("I’m in El Paso, Texas", "El Paso", "city", "Texas", "US"),
        ("we are in McAllen", "McAllen", "city", "Texas", "US"),
        ("I live in Houston", "Houston", "city", "Texas", "US"),
        ("Estoy en Cobán", "Cobán", "municipality", "Alta Verapaz", "GT"),
        ("estoy en coban alta verapaz", "Cobán", "municipality", "Alta Verapaz", "GT"),
        ("vivo en mixco", "Mixco", "municipality", "Guatemala", "GT"),
        ("Hola, vivo en Mixco y quiero trabajar en Canadá", "Mixco", "municipality", "Guatemala", "GT"),
        ("soy de san pedro carcha", "San Pedro Carchá", "municipality", "Alta Verapaz", "GT"),
        ("estoy en Xela", "Quetzaltenango", "municipality", "Quetzaltenango", "GT"),
        ("ando en guate", "Guatemala", "municipality", "Guatemala", "GT"),
        ("estoy en tecun uman", "Ayutla", "municipality", "San Marcos", "GT"),
        ("Santa Cruz del Quiché", "Santa Cruz del Quiché", "municipality", "Quiché", "GT"),
        ("vivo en el quiche", "Quiché", "department", "Quiché", "GT"),
        ("estamos en Reynosa Tamaulipas", "Reynosa", "city", "Tamaulipas", "MX"),
        ("me quedé en Monterrey con mi primo", "Monterrey", "city", "Nuevo León", "MX"),
        ("ando en juarez", "Ciudad Juárez", "city", "Chihuahua", "MX"),
        ("estoy en nuevo laredo", "Nuevo Laredo", "city", "Tamaulipas", "MX"),
        ("estoy en laredo", "Laredo", "city", "Texas", "US"),
        ("estamos en la cdmx", "Ciudad de México", "city", "Ciudad de México", "MX"),
    ],
)
def test_find_place(text, name, kind, region, country):
    place = find_place(text)
    assert place is not None, text
    assert (place.name, place.kind, place.department, place.country) == (name, kind, region, country)


@pytest.mark.parametrize(
    "text, precision",
    [("estoy en Cobán", "city"), ("vivo en Mixco", "department"), ("Huehuetenango", "department"),
     ("ando en Tapachula", "city")],
)
def test_precision_of_coordinates(text, precision):
    place = find_place(text)
    assert place is not None and place.precision == precision


def test_a_municipality_has_its_department_capitals_coordinates():
    mixco, guatemala = find_place("vivo en mixco"), find_place("vivo en la ciudad de guatemala")
    assert (mixco.latitude, mixco.longitude) == (guatemala.latitude, guatemala.longitude)
    barillas, huehue = find_place("estoy en Santa Cruz Barillas"), find_place("estoy en Huehuetenango")
    assert (barillas.latitude, barillas.longitude) == (huehue.latitude, huehue.longitude)


# --- ambiguous names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # a department and a municipality with the same name: the department
        ("Quetzaltenango", ("Quetzaltenango", "department", "Quetzaltenango", "GT")),
        ("El Progreso", ("El Progreso", "department", "El Progreso", "GT")),
        ("estoy en el progreso jutiapa", ("El Progreso", "municipality", "Jutiapa", "GT")),
        # "Guatemala" alone: the country, unless the person says they are there
        ("vivo en Guatemala", ("Guatemala", "department", "Guatemala", "GT")),
        ("departamento de guatemala", ("Guatemala", "department", "Guatemala", "GT")),
        ("estoy en Mixco, Guatemala", ("Mixco", "municipality", "Guatemala", "GT")),
        # municipalities sharing a name: the qualifier decides
        ("San José, Petén", ("San José", "municipality", "Petén", "GT")),
        ("estoy en san jose escuintla", ("San José", "municipality", "Escuintla", "GT")),
        ("estoy en Puerto San José", ("San José", "municipality", "Escuintla", "GT")),
        ("vivo en La Libertad, Petén", ("La Libertad", "municipality", "Petén", "GT")),
        # names in two countries: Guatemala, then Mexico, then the United States, unless qualified
        ("Estoy en San Diego", ("San Diego", "municipality", "Zacapa", "GT")),
        ("estoy en san diego california", ("San Diego", "city", "California", "US")),
        ("Nogales", ("Nogales", "city", "Sonora", "MX")),
        ("ando en nogales arizona", ("Nogales", "city", "Arizona", "US")),
        ("I'm in Nogales, AZ", ("Nogales", "city", "Arizona", "US")),
        # several places: where the person is wins over where they come from or go
        ("soy de Huehuetenango pero ando en Tapachula", ("Tapachula", "city", "Chiapas", "MX")),
        ("vengo de Cobán y estoy en Tenosique", ("Tenosique", "city", "Tabasco", "MX")),
    ],
)
def test_ambiguous_names_resolve_predictably(text, expected):
    place = find_place(text)
    assert place is not None, text
    assert (place.name, place.kind, place.department, place.country) == expected


@pytest.mark.parametrize(
    "text",
    ["estoy en San José", "estoy en La Libertad", "vivo en Santa Bárbara", "ando en san lorenzo"],
)
def test_names_of_several_municipalities_without_a_department_are_not_guessed(text):
    assert find_place(text) is None


# --- common words stay words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "visa h2a cuanto cuesta? tengo 25 años",
        "compré flores en el mercado",
        "quiero un ramo de flores",
        "creo en la libertad de expresión",
        "luchamos por la libertad",
        "la concepción de un hijo",
        "el cristo de esquipulas es milagroso",
        "el paso de la frontera es peligroso",
        "paso a paso",
        "la orilla del rio",
        "el progreso del pais",
        "estoy en la esperanza de que me den la visa",
        "El señor Morales me ayudó",
        "rezo a san antonio",
        "vengo de la colonia Benito Juárez",
        "quiero salir de Guatemala",
        "mandar pisto a guate",
        "me deportaron a guate",
        "cuánto cuesta la visa para Guatemala",
        "How do I apply for the farm work visa?",
        "hola estoy en México",
        "me dieron una tactic muy buena",
    ],
)
def test_everyday_words_are_not_places(text):
    assert find_place(text) is None, text


@pytest.mark.parametrize(
    "text, name, department",
    [
        ("Flores", "Flores", "Petén"),
        ("estoy en Flores", "Flores", "Petén"),
        ("estoy en flores peten", "Flores", "Petén"),
        ("en La Libertad, Huehuetenango", "La Libertad", "Huehuetenango"),
        ("Concepción, Sololá", "Concepción", "Sololá"),
        ("voy para Esquipulas", "Esquipulas", "Chiquimula"),
        ("estoy en esquipulas buscando trabajo", "Esquipulas", "Chiquimula"),
        ("vivo en morales izabal", "Morales", "Izabal"),
        ("estoy en del rio", "Del Rio", "Texas"),
        ("I am in San Antonio", "San Antonio", "Texas"),
    ],
)
def test_common_word_names_count_with_a_location_cue_a_qualifier_or_alone(text, name, department):
    place = find_place(text)
    assert place is not None, text
    assert (place.name, place.department) == (name, department)


@pytest.mark.parametrize(
    "name, common",
    [("flores", True), ("la libertad", True), ("el paso", True), ("san jose", True), ("esquipulas", True),
     ("ciudad vieja", True), ("huehuetenango", False), ("mixco", False), ("ciudad juarez", False),
     ("san juan sacatepequez", False), ("puerto barrios", False)],
)
def test_which_names_are_common_words(name, common):
    assert is_common_name(name) is common


def test_place_spans_point_into_the_original_text():
    text = "Mi tía vive en Cobán, ALTA VERAPAZ, y yo en Tapachula."
    spans = [text[start:end] for start, end in place_spans(text)]
    assert spans == ["Cobán", "ALTA VERAPAZ", "Tapachula"]


def test_the_gazetteer_is_built_once_per_process():
    assert gazetteer() is gazetteer()
    assert len(gazetteer().places) == 22 + 340 + len(_rows("border_cities.tsv"))


def test_first_answers_at_once_share_one_spacy_import():
    """The action server's first concurrent answers each reached for spaCy while it was half imported
    ("partially initialized module 'spacy' has no attribute 'blank'"): each must get the whole module."""
    import subprocess
    import sys

    code = (
        "import threading\n"
        "from bot.language.places import import_spacy\n"
        "errors = []\n"
        "def use():\n"
        "    try:\n"
        "        import_spacy().blank('es')\n"
        "    except Exception as error:\n"
        "        errors.append(repr(error))\n"
        "threads = [threading.Thread(target=use) for _ in range(6)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(len(errors), errors[:1])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "0 []", result.stdout + result.stderr[-2000:]
