# One image for the Rasa server and the action server (different commands in docker-compose.yml).
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2 AUDIO_DIR=/var/lib/brujula/audio
# ffmpeg converts uploaded recordings to OGG/Opus, espeak-ng makes synthetic audio (bot/audio); curl for health checks.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg espeak-ng curl \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY bot bot
COPY actions actions
COPY channels channels
COPY console console
COPY content content
COPY data data
COPY config.yml domain.yml credentials.yml endpoints.production.yml ./
RUN pip install --no-cache-dir --no-deps -e . && bot train
RUN useradd --create-home brujula && mkdir -p /var/lib/brujula/audio && chown -R brujula /app /var/lib/brujula
USER brujula
EXPOSE 5005 5055
