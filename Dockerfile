# One image for the Rasa server and the action server (different commands in docker-compose.yml).
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2
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
RUN useradd --create-home brujula && chown -R brujula /app
USER brujula
EXPOSE 5005 5055
