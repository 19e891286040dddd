-- Conversations (Rasa tracker store) live in their own database, apart from the content database.
CREATE DATABASE brujula_tracker OWNER brujula;
