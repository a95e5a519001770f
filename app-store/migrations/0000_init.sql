CREATE SCHEMA "app_store";
