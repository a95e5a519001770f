CREATE SCHEMA "hardened_os";
