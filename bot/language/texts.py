"""Every fixed interface text in Spanish and English (menus, notices, apologies, channel messages).

Answers to questions live in the content database; these are only the words around them, kept in code so
that the apology for a database failure never needs the database. A text missing in a language falls back
to Spanish.
"""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "greeting": {
        "es": "Hola, soy Brújula. Doy información sobre migrar de forma segura y sobre ayuda al regresar a "
        "Guatemala.",
        "en": "Hello, I am Brújula. I give information on migrating safely and on help when you return to "
        "Guatemala.",
    },
    "privacy": {
        "es": "Privacidad: no comparta su nombre ni su número; no los necesito. Guardo su consulta sin datos "
        "personales para mejorar el servicio.",
        "en": "Privacy: do not share your name or number; I do not need them. I keep your question without "
        "personal data to improve the service.",
    },
    "main_menu": {
        "es": "¿Sobre qué quiere saber? Escriba su pregunta o el número de una opción:",
        "en": "What would you like to know? Write your question or the number of an option:",
    },
    "area_menu": {
        "es": "{area}. Escriba el número de una opción:",
        "en": "{area}. Write the number of an option:",
    },
    "follow_up": {
        "es": "¿Qué más quiere saber? Escriba un número:",
        "en": "What else would you like to know? Write a number:",
    },
    "source": {"es": "Fuente", "en": "Source"},
    "more_sources": {"es": "y {count} más", "en": "and {count} more"},
    "translation_missing": {
        "es": "",
        "en": "(This answer is not yet available in English. Here it is in Spanish.)",
    },
    "more_none": {
        "es": "No tengo más información sobre este tema. Puede elegir otro:",
        "en": "I have no more information on this topic. You can choose another one:",
    },
    "more_no_topic": {
        "es": "¿Más sobre qué tema? Elija una opción:",
        "en": "More about which topic? Choose an option:",
    },
    "fallback_first": {
        "es": "Perdón, no entendí bien. ¿Quiso preguntar por alguno de estos temas? Escriba el número, o escriba "
        "su pregunta con otras palabras.",
        "en": "Sorry, I did not understand. Did you mean one of these topics? Write the number, or write your "
        "question in other words.",
    },
    "fallback_second": {
        "es": "Sigo sin entender, perdón. Puede elegir un tema del menú o pedir hablar con una persona.",
        "en": "I still do not understand, sorry. You can choose a topic from the menu or ask to talk to a person.",
    },
    "empty_message": {
        "es": "No recibí texto. Escriba su pregunta con palabras o el número de una opción.",
        "en": "I did not receive any text. Write your question in words or the number of an option.",
    },
    "option_unknown": {
        "es": "No tengo la opción {number}. Elija un número de esta lista:",
        "en": "There is no option {number}. Choose a number from this list:",
    },
    "language_set": {
        "es": "Listo, le escribo en español.",
        "en": "OK, I will write in English.",
    },
    "goodbye": {
        "es": "Que le vaya bien. Cuídese. Escríbame cuando quiera.",
        "en": "Take care. Write to me any time.",
    },
    "thanks": {
        "es": "Con gusto. ¿Algo más?",
        "en": "You are welcome. Anything else?",
    },
    "bot_challenge": {
        "es": "Soy un asistente automático, no una persona. Si quiere hablar con una persona, elija la opción.",
        "en": "I am an automated assistant, not a person. If you want to talk to a person, choose that option.",
    },
    "unavailable": {
        "es": "Lo siento, ahora no puedo consultar la información. Intente de nuevo en unos minutos. Si está en "
        "peligro, llame a la policía o al número de emergencias del lugar donde está.",
        "en": "Sorry, I cannot look up the information right now. Please try again in a few minutes. If you are "
        "in danger, call the police or the local emergency number where you are.",
    },
    "no_answer": {
        "es": "Todavía no tengo información sobre ese tema. Puede elegir otro:",
        "en": "I do not have information on that topic yet. You can choose another one:",
    },
    "media_audio": {
        "es": "Todavía no puedo escuchar audios. Por favor, escriba su pregunta con palabras.",
        "en": "I can't listen to audio yet. Please write your question.",
    },
    "media_image": {
        "es": "Todavía no puedo ver fotos ni imágenes. Por favor, escriba su pregunta con palabras.",
        "en": "I can't see photos or images yet. Please write your question.",
    },
    "media_sticker": {
        "es": "Gracias por el sticker. Para ayudarle, escriba su pregunta con palabras.",
        "en": "Thanks for the sticker. To help you, please write your question.",
    },
    "media_video": {
        "es": "Todavía no puedo ver videos. Por favor, escriba su pregunta con palabras.",
        "en": "I can't watch videos yet. Please write your question.",
    },
    "media_document": {
        "es": "Todavía no puedo abrir documentos. No envíe documentos personales por aquí. Escriba su pregunta.",
        "en": "I can't open documents yet. Do not send personal documents here. Please write your question.",
    },
    "media_contact": {
        "es": "No necesito contactos. Por su seguridad, no comparta números de otras personas. Escriba su pregunta.",
        "en": "I don't need contacts. For safety, do not share other people's numbers. Please write your question.",
    },
    "nearest_intro": {
        "es": "Lugares de ayuda más cercanos a su ubicación:",
        "en": "Places that help, nearest to your location:",
    },
    "nearest_unverified": {
        "es": "Dirección y horario por confirmar. Pregunte antes de ir.",
        "en": "Address and hours not yet confirmed. Ask before you go.",
    },
    "nearest_ask_location": {
        "es": "Para buscar el lugar más cercano, comparta su ubicación: toque el clip (📎) y elija Ubicación. "
        "O elija una opción:",
        "en": "To find the nearest place, share your location: tap the clip (📎) and choose Location. "
        "Or choose an option:",
    },
    "nearest_none": {
        "es": "No tengo lugares de ayuda registrados cerca. Puede ver la lista de centros:",
        "en": "I have no places that help registered nearby. You can see the list of centres:",
    },
    "about_km": {"es": "a unos {km} km", "en": "about {km} km away"},
    "faq_suggest": {
        "es": "¿Quiso saber algo de esto? Escriba el número:",
        "en": "Did you want to know one of these? Write the number:",
    },
    "about_topic": {"es": "Más sobre: {title}", "en": "More about: {title}"},
    "ask_where": {
        "es": "¿En qué país o lugar está? Escríbalo o comparta su ubicación, y le doy los números de ahí.",
        "en": "Which country or place are you in? Write it or share your location, and I will give you the "
        "numbers there.",
    },
    "human_offer": {"es": "Hablar con una persona", "en": "Talk to a person"},
    # Channels: when the assistant itself failed, and after a person deleted their data.
    "error_try_again": {
        "es": "Lo siento, hubo un error. Intente de nuevo.",
        "en": "Sorry, something went wrong. Please try again.",
    },
    "error_start_again": {
        "es": "Lo siento, hubo un error. Escriba {menu} para empezar de nuevo.",
        "en": "Sorry, something went wrong. Write {menu} to start again.",
    },
    "data_deleted": {
        "es": "Listo. Borré sus datos: la conversación y su contacto. Si vuelve a escribir, empezamos de cero.",
        "en": "Done. I deleted your data: the conversation and your contact. If you write again, we start from "
        "zero.",
    },
    "phone": {"es": "Tel.", "en": "Phone"},
    # The recruiter register check (actions/recruiters.py), before the answer to a labour question. The fees
    # rule and where to report are the words of content/faq/labour.yml (labour.h2b/fees, labour.fees/deposit).
    "recruiter_authorised": {
        "es": "{name} aparece como autorizada en el registro (verificado el {date}). Fuente: {url}",
        "en": "{name} appears as authorised in the register (checked on {date}). Source: {url}",
    },
    "recruiter_suspended": {
        "es": "{name} aparece como suspendida en el registro (verificado el {date}). No pague ni firme nada con "
        "esa agencia. Fuente: {url}",
        "en": "{name} appears as suspended in the register (checked on {date}). Do not pay or sign anything with "
        "that agency. Source: {url}",
    },
    "recruiter_fraudulent": {
        "es": "¡Cuidado! {name} fue reportada como fraudulenta (registro verificado el {date}). No le pague ni le "
        "entregue nada. Si ya pagó, guarde recibos y mensajes y denúncielo en el Ministerio Público o en el "
        "MINTRAB. Fuente: {url}",
        "en": "Warning! {name} was reported as fraudulent (register checked on {date}). Do not pay or hand over "
        "anything. If you already paid, keep receipts and messages, and report it to the Public Prosecutor's "
        "Office or MINTRAB. Source: {url}",
    },
    "recruiter_not_found": {
        "es": "No encuentro {name} en el registro. Antes de pagar o firmar, pregunte al MINTRAB si la agencia está "
        "inscrita y autorizada. Nadie puede cobrarle comisión ni pago por colocarlo en un trabajo H-2A o H-2B, en "
        "ningún momento. Si le piden dinero, no pague y denúncielo en el Ministerio Público o en el MINTRAB. "
        "Fuente: U.S. Department of Labor; USCIS",
        "en": "I don't find {name} in the register. Before you pay or sign, ask MINTRAB whether the agency is "
        "registered and authorised. Nobody may charge you a placement fee or payment for an H-2A or H-2B job, at "
        "any time. If you are asked for money, do not pay, and report it to the Public Prosecutor's Office or "
        "MINTRAB. Source: U.S. Department of Labor; USCIS",
    },
}

AREA_LABELS: dict[str, dict[str, str]] = {
    "labour": {"es": "Trabajar o migrar de forma legal", "en": "Work or migrate legally"},
    "risks": {"es": "Riesgos del camino irregular", "en": "Risks of the irregular route"},
    "reintegration": {"es": "Regreso a Guatemala y apoyo", "en": "Return to Guatemala and support"},
    "help": {"es": "Ayuda urgente o hablar con una persona", "en": "Urgent help or talk to a person"},
}
MAIN_MENU_AREAS = ("labour", "risks", "reintegration", "help")

BUTTON_LABELS: dict[str, dict[str, str]] = {
    "main_menu": {"es": "Menú principal", "en": "Main menu"},
    "ask_more": {"es": "Más información", "en": "More information"},
}


def text(key: str, lang: str, **values: str) -> str:
    """The interface text `key` in `lang` (Spanish when missing), with `values` filled in."""
    entry = TEXTS[key]
    template = entry.get(lang) or entry["es"]
    return template.format(**values) if values else template


def area_label(area: str, lang: str) -> str:
    labels = AREA_LABELS[area]
    return labels.get(lang) or labels["es"]


def button_label(key: str, lang: str) -> str:
    labels = BUTTON_LABELS[key]
    return labels.get(lang) or labels["es"]
