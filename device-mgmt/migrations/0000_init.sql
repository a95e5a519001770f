CREATE SCHEMA "device_mgmt";
