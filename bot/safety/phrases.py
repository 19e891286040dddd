"""Danger phrases: the curated half of the emergency detector (the other half is a classifier, see
`bot.safety.detector`).

A phrase here must describe danger happening *now* to the writer or to someone with them (or, for a crisis,
thoughts of suicide or self-harm, the writer's or someone else's), so that it can fire without asking the
model. Questions about dangers in general ("¿qué hago si me secuestran?", "is it true coyotes abandon
people?") must not match: keep phrases in the first person and the present or just-past tense, and leave
anything vaguer to the classifier.

How phrases are written (compiled by `bot.safety.danger.compile_phrase`):

- plain words in ordinary spelling; each goes through the same spelling normalisation as the message
  (`bot.safety.danger.normalise`), so "me quieren matar" also matches "me kieren matar", "me qieren mataar"
  and, since words of 5+ letters tolerate one dropped letter, "me quieren mtar";
- ``a|b`` alternatives for one word; ``a_b`` a two-word alternative ("i_am|im");
- ``word*`` any word starting so ("secuestrad*" = secuestrado, secuestrada, secuestrados ...);
- ``[a|b]`` an optional word; ``~`` up to two words of anything, ``~N`` up to N.

A phrase right after "no" / "not" / "nunca" / "never" does not count ("no me quiero matar"). An emergency
phrase is not counted either when it follows "si" / "if" / "cuando" / "when" (a question about what could
happen), when the message dates the event to years ago ("en 2019", "hace 3 años") or when it laughs ("jaja",
"lol"). Otherwise crisis phrases always count: a person who asks "¿qué hago si me quiero matar?" must get the
crisis answer.

When adding a phrase, add a misspelt example and a near miss to tests/bot/test_safety.py.
"""
from __future__ import annotations

# Suicidal thoughts and self-harm (intent help.crisis): the writer's or someone else's.
CRISIS_PHRASES: list[str] = [
    # Spanish
    "me quiero matar|morir|suicidar|morirme",
    "quiero matarme|morirme|suicidarme|morir",
    "me voy a matar|suicidar",
    "me dan ganas de matarme|morirme|morir",
    "ganas de morirme|matarme|suicidarme|morir",
    "me|se voy|va a quitar la vida",
    "me|se quiero|quiere|quiera quitar la vida",
    "quitarme|quitarse la vida",
    "acabar|terminar con mi|su vida",
    "ya no quiero|quiere vivir|seguir",
    "no quiero|quiere seguir viviendo",
    "ya no quiero|quiere estar en este mundo",
    "suicidarme|suicidarse|suicidarte|suicidar",
    "me suicido",
    "pensamientos|ideas suicid*",
    "pensando|pienso en suicid*|matarme|quitarme|tirarme|aventarme|colgarme|morirme",
    "mejor me mato|muero|suicido",
    "me quiero|voy a tirar|aventar de|del puente|edificio",
    "tirarme|aventarme de|del puente|edificio|tren",
    "me corto|corte|cortaba los|las brazos|venas|munecas",
    "me corto|corte|lastimo|golpeo|quemo a_proposito|para_sentir|para_no_sentir",
    "se corta|lastima|hiere|hace_dano|hace_heridas a_proposito",
    "se corta los|las brazos|venas|piernas|munecas",
    "me hago|hice dano",
    "me golpeo|pego la cabeza contra",
    "hacerme dano",
    "no le veo salida",
    "carta de despedida",
    "seria mejor no despertar|desaparecer|estar_muerto|morirme",
    "quisiera|prefiero estar muerto|muerta",
    "estarian|estaria mejor sin mi",
    "no tengo razon*|motivo* para vivir",
    "cansado|cansada de vivir",
    "me canse de vivir",
    "sentido a|de vivir|seguir_viviendo",
    "dormir y no despertar",
    "tomarme todas las pastillas",
    "colgarme|ahorcarme",
    "se quiere|va [a] matar|suicidar|ahorcar|colgar",
    "se quiere morir",
    "quiere morirse|matarse|suicidarse",
    # English
    "kill|killing myself|himself|herself",
    "end|ending|take|taking my|his|her [own] life",
    "end|ending it all|tonight",
    "thinking about|of ending|suicide|killing",
    "think|thinking about dying|death",
    "suicidal",
    "suicide hotline|line|thoughts",
    "commit|committing suicide",
    "want|wants to die",
    "do_not|does_not want to live|be_alive anymore",
    "not want to be alive",
    "no reason|point to|in live|living",
    "point of living",
    "better off without me",
    "better if i_am|im gone|dead",
    "cutting|hurting|burning myself|herself|himself",
    "hurt|cut|burn myself|herself|himself on_purpose|to_feel",
    "cuts|hurts herself|himself",
    "jump|jumping off|from a|the bridge|building|roof",
    "sleep and never wake up",
    "goodbye letter|note",
    "tired of living",
    "took|swallowed a_bunch_of|all_the|all_my ~2 pills",
]

# Danger happening now (intent help.emergency).
EMERGENCY_PHRASES: list[str] = [
    # --- Spanish: calls for help
    "auxilio",
    "socorro",
    "sos help|ayuda|ayudenme|urgente|emergencia|please|auxilio",
    "ayuda|help sos",
    "es una emergencia",
    "tengo|tenemos una emergencia",
    "emergencia ahora|ya|urgente|ayuda",
    "ayuda|ayudenme|ayudenos urgente|ahora|rapido",
    "urgente ayuda",
    "manden|mande|envien [a] ayuda|alguien|policia|ambulancia",
    "vengan rapido|ya|ahora",
    "necesito|necesitamos ayuda ya|urgente|ahora",
    "estoy|estamos en peligro",
    # kidnapped, held, locked in
    "me|nos tienen|tiene secuestrad*|encerrad*|amarrad*|retenid*",
    "me|nos secuestraron|levantaron|encerraron|raptaron",
    "estoy|estamos secuestrad*|encerrad*|amarrad*",
    "no me|nos dejan|deja salir|irme|irnos",
    "estan pidiendo rescate",
    "estoy|estamos|esta|estan|tienen ~1 casa de seguridad",
    "tiene|tienen bajo llave",
    # threats, shots
    "me|nos quieren|quiere|van matar|secuestrar",
    "me|nos van a matar",
    "buscando para|pa matarme|matarnos",
    "me|nos amenazaron|amenaza|amenazo de muerte",
    "me|nos estan|esta disparando|balaceando",
    "me|nos amenaza|amenazo|esta_amenazando con ~1 cuchillo|machete|pistola|arma",
    # followed, chased
    "me|nos estan|esta|viene|vienen|andan siguiendo|persiguiendo|correteando",
    "me|nos persigue|persiguen",
    "me sigue|siguen unos|un|desde",
    # hurt, bleeding, breathing, fainting, drowning, dying
    "me estoy desangrando|muriendo|ahogando",
    "se esta|estan desangrando|muriendo|ahogando|desmayando",
    "nos estamos muriendo|ahogando",
    "estoy|esta|estamos sangrando",
    "no para|deja de sangrar",
    "mucha sangre",
    "me|le|nos dispararon|balearon|apunalaron|acuchillaron",
    "me|le dieron un|una balazo|punalada|machetazo",
    "no puedo|podemos|puede respirar",
    "no se puede respirar",
    "no hay aire",
    "me|nos falta el aire",
    "no respira",
    "no despierta",
    "inconsciente",
    "me|nos estan golpeando|pegando",
    "me|nos esta golpeando|pegando",
    "me cai del tren|muro|barda",
    "se cayo del tren|muro|barda|rio",
    "me quebre|rompi el|la pierna|tobillo|brazo",
    "me pico|mordio un|una alacran|vibora|serpiente|culebra",
    "se lo|la llevo la corriente",
    "se esta|estan hundiendo",
    "se hundio|volteo la lancha|balsa",
    # sexual violence just now
    "me acaban de violar|abusar|agredir",
    "me violaron|violo",
    "abusaron|abuso de mi",
    "me agredieron|agredio sexualmente",
    "me quiere|quieren abusar|violar",
    # childbirth on the way
    "dolores|dolor de parto",
    "se le|me rompio la fuente",
    "ya empezo el parto",
    "estoy|esta pariendo",
    "esta|estoy dando a luz",
    # lost in the desert, abandoned, no water
    "perdid* en el desierto|monte|sierra|montana",
    "estoy|estamos ~3 sin agua",
    "se me|nos acabo el agua",
    "ya no tengo|tenemos|hay|queda agua",
    "me|nos abandonaron|abandono|dejaron|dejo tirad*|botad*|abandonad*",
    "nos abandonaron|abandono aqui",
    # a child alone or lost now
    "se me perdio|perdieron mi|el|la nino|nina|hijo|hija|bebe|nene|nena|patojo|patoja|patojito|patojita",
    "hay un|una nino|nina|bebe|patojo|patojito|patojita|nene|nena sol*|abandonad*",
    # --- English: calls for help
    "help now|right_now|fast|quick",
    "please help now",
    "hurry please",
    "urgent help",
    "send help",
    "i_am|we_are|im in danger",
    # kidnapped, held, locked in
    "i|we was|were|got|been kidnapped",
    "they kidnapped|have me|us",
    "against my|our will",
    "holding me|us",
    "i_am|we_are|im locked|trapped in|up|inside",
    "locked|trapped in|inside a|the trailer|truck|container|room|house",
    "will_not|do_not|can_not let me|us out|leave|go",
    "can_not get out",
    "asking ~2 for ransom",
    # threats, shots
    "want to kill me|us",
    "going to kill me|us",
    "will kill me|us",
    "shooting at me|us",
    "with guns|machetes|knives outside|looking",
    "outside my|our door|house with",
    # followed, chased
    "following me|us",
    "is|are chasing me|us",
    "being followed|chased",
    # hurt, bleeding, breathing, drowning
    "i_am|is bleeding",
    "i|he|she got|was shot|stabbed",
    "can_not breathe",
    "barely breathe",
    "not breathing",
    "no air",
    "air is running out",
    "running out of air",
    "passing out",
    "fainting|fainted",
    "collapsed",
    "unconscious",
    "not waking up|moving",
    "is|are drowning",
    "went under",
    "is sinking",
    "beating|hitting me|us",
    "fell off|from the train|wall",
    "ankle|ankles|leg|legs|arm is|are broken",
    "broke my leg|ankle|arm",
    "bit by a snake|scorpion",
    "i_am|we_are dying",
    # sexual violence just now
    "just raped|attacked|assaulted",
    "was|been|got raped",
    "sexually assaulted me",
    "forced himself on",
    # childbirth on the way
    "is|am giving birth",
    "giving birth right_now|under|on_the|in_the_back",
    "i_am|is in labor|labour",
    "water broke",
    # lost, abandoned, no water
    "lost in the desert|mountains|woods|brush",
    "no water",
    "out of water",
    "left us|me behind",
    "left us|me in the desert|mountains|river|middle",
    "coyote|guide|smuggler|driver ~1 left|abandoned|ditched us|me",
    "we_are|i_am lost in|and|with",
    # a child alone or lost now
    "just went missing|disappeared",
    "found a ~2 alone",
    "child|kid|boy|girl|baby is alone here|at|by|near",
]

# What dates a message to the past. An emergency phrase does not count in such a message, and the classifier
# needs a higher score (`past_threshold` of the detector). "en 2019" / "since 2018" (a past year after "en",
# "in", "desde", ...) counts too (bot.safety.danger).
LONG_AGO_PHRASES: list[str] = [
    "hace ~1 anos",
    "years ago",
    "ano pasado",
    "last year",
    "cuando vivia",
    "when i lived",
    "cuando era nino|nina|chiquito|chiquita|joven|patojo|patoja",
    "when i was a|little|young",
]

# The writer says it is not urgent: the classifier needs its higher `past_threshold` (phrases still count).
NOT_URGENT_PHRASES: list[str] = [
    "no es [una] emergencia|urgente|urgencia",
    "nada urgente",
    "not [an] emergency|urgent",
    "nothing urgent",
    "no hay prisa",
    "no rush",
]
