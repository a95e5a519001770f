CREATE SCHEMA "core_network";
