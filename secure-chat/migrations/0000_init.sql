CREATE SCHEMA "secure_chat";
