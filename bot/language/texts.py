"""Every fixed interface text in Spanish and English (menus, notices, apologies, channel messages): the seed.

Interface texts live in the content database, per language (bot.content.interface): `bot content load` seeds
them from here, and staff translate them in the console for other languages. `text()` reads the published
texts (a per-process snapshot); these in code are the last resort, so the apology for a database failure never
needs the database. A text missing in a language falls back to Spanish.
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
    # The language menu's heading: each offered language's word for "language", joined ("Idioma / Language").
    "language_menu": {"es": "Idioma", "en": "Language"},
    # A language asked for that is not offered yet (K'iche' before staff publish its texts): said before the menu.
    "language_not_yet": {
        "es": "Todavía no tengo respuestas en {language}. Puede elegir uno de estos idiomas:",
        "en": "I do not have answers in {language} yet. You can choose one of these languages:",
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
    "nearest_location_wrong": {
        "es": "Esa ubicación no parece correcta. Compártala de nuevo: toque el clip (📎) y elija Ubicación. "
        "O elija una opción:",
        "en": "That location looks wrong. Please share it again: tap the clip (📎) and choose Location. "
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
    # Privacy (bot/privacy_ops.py): the one-line notice on first contact, the full notice ("privacidad"), the
    # summary of what is held ("mis datos") and the confirmation of "borrar mis datos".
    "consent": {
        "es": "Privacidad: no comparta su nombre ni su número. Guardo esta conversación {days} días. Escriba "
        "PRIVACIDAD para saber más o BORRAR para borrar sus datos.",
        "en": "Privacy: do not share your name or number. I keep this conversation for {days} days. Write PRIVACY "
        "to learn more or DELETE to delete your data.",
    },
    "privacy_notice": {
        "es": "Aviso de privacidad de Brújula\n"
        "- Qué guardo: sus mensajes y mis respuestas; si pide hablar con una persona, el caso y lo que se "
        "escriban; su número de WhatsApp o su chat de Telegram, solo para responderle. Las preguntas que no supe "
        "responder se guardan sin nombres, números ni direcciones.\n"
        "- Por cuánto tiempo: {days} días. Después se borra solo.\n"
        "- Quién lo ve: solo el equipo de Brújula. Quien atiende su caso ve la conversación con un código, no "
        "su número. Solo un administrador puede ver su número, dando un motivo que queda registrado.\n"
        "- Sus derechos: escriba MIS DATOS para ver qué guardo, o BORRAR para borrarlo todo ahora.",
        "en": "Brújula privacy notice\n"
        "- What I keep: your messages and my answers; if you ask to talk to a person, the case and what you both "
        "write; your WhatsApp number or Telegram chat, only to answer you. Questions I could not answer are kept "
        "without names, numbers or addresses.\n"
        "- For how long: {days} days. Then it is deleted automatically.\n"
        "- Who sees it: only the Brújula team. Whoever handles your case sees the conversation under a code, "
        "not your number. Only an administrator can see your number, giving a reason that is recorded.\n"
        "- Your rights: write MY DATA to see what I keep, or DELETE to delete it all now.",
    },
    "my_data_title": {"es": "Esto es lo que guardo sobre usted:", "en": "This is what I keep about you:"},
    "my_data_contact": {
        "es": "su contacto de {channel}, para responderle (desde el {since})",
        "en": "your {channel} contact, to answer you (since {since})",
    },
    "my_data_conversation": {
        "es": "esta conversación: {count} registros, desde el {since}",
        "en": "this conversation: {count} records, since {since}",
    },
    "my_data_cases": {
        "es": "casos con el equipo: {count} ({open} abiertos), con {lines} mensajes",
        "en": "cases with the team: {count} ({open} open), with {lines} messages",
    },
    "my_data_unanswered": {
        "es": "preguntas que no supe responder, sin datos personales: {count}",
        "en": "questions I could not answer, without personal data: {count}",
    },
    "my_data_outbox": {
        "es": "respuestas por enviar o enviadas hace poco: {count}",
        "en": "replies waiting or sent recently: {count}",
    },
    "my_data_nothing": {"es": "nada por ahora", "en": "nothing for now"},
    "my_data_footer": {
        "es": "Todo se borra solo después de {days} días. Escriba BORRAR para borrarlo ahora.",
        "en": "Everything is deleted automatically after {days} days. Write DELETE to delete it now.",
    },
    "data_deleted_all": {
        "es": "Listo. Borré sus datos: la conversación, sus casos, sus preguntas y su contacto. Si vuelve a "
        "escribir, empezamos de cero.",
        "en": "Done. I deleted your data: the conversation, your cases, your questions and your contact. If you "
        "write again, we start from zero.",
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
    # Handoff to a person (actions/handoff.py, bot/handoff/policy.py). Channels send the last two when a case
    # waits too long and when a caseworker closes it.
    "handoff_offer": {
        "es": "Una persona del equipo de Brújula puede leer esta conversación y responderle aquí. Atendemos {hours}. "
        "¿Quiere hablar con una persona? Escriba el número:",
        "en": "A person from the Brújula team can read this conversation and answer you here. We work {hours}. "
        "Do you want to talk to a person? Write the number:",
    },
    "handoff_yes": {"es": "Sí, hablar con una persona", "en": "Yes, talk to a person"},
    "handoff_no": {"es": "No, seguir con el menú", "en": "No, keep using the menu"},
    "handoff_opened": {
        "es": "Listo. Una persona del equipo de Brújula leerá esta conversación y le responderá aquí, en este chat.\n"
        "{when}\nMientras espera, yo no contestaré: puede seguir escribiendo y la persona leerá sus mensajes.\n"
        "Si está en peligro, escríbalo: le doy los números de emergencia al momento.\n"
        "Si ya no quiere esperar, escriba menú.",
        "en": "Done. A person from the Brújula team will read this conversation and answer you here, in this chat.\n"
        "{when}\nWhile you wait, I will not answer: you can keep writing and the person will read your messages.\n"
        "If you are in danger, write it: I will give you the emergency numbers at once.\n"
        "If you no longer want to wait, write menu.",
    },
    "handoff_open_now": {
        "es": "Ahora estamos en horario de atención: {hours}.",
        "en": "We are in office hours now: {hours}.",
    },
    "handoff_closed_now": {
        "es": "Ahora estamos fuera del horario de atención ({hours}). Espere una respuesta {when}.",
        "en": "We are outside office hours now ({hours}). Expect an answer {when}.",
    },
    "handoff_hours": {"es": "{days}, de {opens} a {closes}, {zone}", "en": "{days}, {opens} to {closes}, {zone}"},
    "handoff_days_range": {"es": "de {first} a {last}", "en": "{first} to {last}"},
    "handoff_today": {"es": "hoy desde las {time}", "en": "today from {time}"},
    "handoff_tomorrow": {"es": "mañana {day} desde las {time}", "en": "tomorrow ({day}) from {time}"},
    "handoff_on_day": {"es": "el {day} desde las {time}", "en": "on {day} from {time}"},
    "weekdays": {
        "es": "lunes,martes,miércoles,jueves,viernes,sábado,domingo",
        "en": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    },
    "and": {"es": "y", "en": "and"},
    "guatemala_time": {"es": "hora de Guatemala", "en": "Guatemala time"},
    "handoff_left": {
        "es": "Listo, ya no espera a una persona. Si la necesita, escriba: hablar con una persona.",
        "en": "OK, you are no longer waiting for a person. If you need one, write: talk to a person.",
    },
    "handoff_holding": {
        "es": "Perdón, todavía nadie del equipo ha podido responderle. Su pedido sigue abierto: una persona le "
        "escribirá aquí. Si no quiere esperar, escriba menú. Si está en peligro, escríbalo y le doy los números "
        "de emergencia.",
        "en": "Sorry, nobody from the team has been able to answer yet. Your request is still open: a person will "
        "write to you here. If you do not want to wait, write menu. If you are in danger, write it and I will "
        "give you the emergency numbers.",
    },
    "handoff_closed": {
        "es": "La persona del equipo cerró esta conversación. Desde ahora le contesto yo, Brújula, el asistente "
        "automático. Escriba su pregunta o menú.",
        "en": "The person from the team closed this conversation. From now on I, Brújula, the automated "
        "assistant, answer you. Write your question or menu.",
    },
    # Audio answers (actions/replies.py: the option after an answer, and what it sends)
    "listen_option": {"es": "Escuchar", "en": "Listen"},
    "listen_intro": {"es": "Escuche la respuesta: {title}", "en": "Listen to the answer: {title}"},
    "listen_none": {
        "es": "Perdón, esta respuesta todavía no tiene audio. Puede leerla arriba o elegir otra opción.",
        "en": "Sorry, this answer has no audio yet. You can read it above or choose another option.",
    },
    # "Prefer audio": every answer that can be heard comes with its audio, until the person chooses text only.
    "listen_always_option": {"es": "Siempre con audio", "en": "Always with audio"},
    "listen_text_only_option": {"es": "Solo texto", "en": "Text only"},
    "audio_on": {
        "es": "Listo. Desde ahora cada respuesta le llega también en audio. Para dejarlo, elija Solo texto.",
        "en": "Done. From now on every answer also comes to you as audio. To stop, choose Text only.",
    },
    "audio_off": {
        "es": "Listo. Desde ahora le respondo solo con texto. Para oír una respuesta, elija Escuchar.",
        "en": "Done. From now on I answer with text only. To hear an answer, choose Listen.",
    },
    # Read aloud at the end of an audio answer (bot/audio/script.py): the options, by number.
    "audio_options_intro": {
        "es": "Para seguir, escriba el número de una opción.",
        "en": "To go on, write the number of an option.",
    },
    "audio_option": {"es": "Opción {number}: {title}.", "en": "Option {number}: {title}."},
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


# Every interface text by key: TEXTS, the menu areas ("area.labour") and the buttons ("button.main_menu").
SEED_TEXTS: dict[str, dict[str, str]] = {
    **TEXTS,
    **{f"area.{area}": labels for area, labels in AREA_LABELS.items()},
    **{f"button.{key}": labels for key, labels in BUTTON_LABELS.items()},
}


def _template(key: str, lang: str, refresh: bool) -> str:
    """The published text in `lang`, else the seed in `lang`, else the same in Spanish."""
    seed = SEED_TEXTS[key]
    from bot.content.interface import current_catalog  # bot.content reads this module's texts: import late

    published = (catalog.texts if (catalog := current_catalog(refresh=refresh)) is not None else {})
    for candidate in (lang, "es"):
        found = published.get((key, candidate)) or seed.get(candidate)
        if found:
            return found
    return ""


def text(key: str, lang: str, **values: str) -> str:
    """The interface text `key` in `lang` (Spanish when missing), with `values` filled in."""
    template = _template(key, lang, refresh=True)
    return template.format(**values) if values else template


def cached_text(key: str, lang: str, **values: str) -> str:
    """Like `text`, from the texts last read, without touching the database (the apology when it is down)."""
    template = _template(key, lang, refresh=False)
    return template.format(**values) if values else template


def area_label(area: str, lang: str) -> str:
    return text(f"area.{area}", lang)


def button_label(key: str, lang: str) -> str:
    return text(f"button.{key}", lang)
