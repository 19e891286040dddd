"""Audio answers: a recording (or a synthetic voice) per answer version and language, stored as OGG/Opus."""
