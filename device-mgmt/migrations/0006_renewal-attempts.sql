CREATE TABLE "device_mgmt"."renewal_attempts" (
	"device_id" uuid PRIMARY KEY NOT NULL,
	"attempts" jsonb DEFAULT '[]'::jsonb NOT NULL
);
