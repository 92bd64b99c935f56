CREATE TABLE `agent_reports` (
	`seq` integer PRIMARY KEY NOT NULL,
	`machine_id` text NOT NULL,
	`rollout_id` text,
	`store_path` text,
	`state` text NOT NULL,
	`agent_state` text,
	`reason` text,
	`inconclusive` integer,
	`current_store_path` text,
	`health_checks` text,
	`reported_at` text NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `agent_reports_machine_idx` ON `agent_reports` (`machine_id`,`seq`);--> statement-breakpoint
CREATE INDEX `agent_reports_rollout_idx` ON `agent_reports` (`rollout_id`,`seq`);--> statement-breakpoint
CREATE TABLE `desired_generations` (
	`machine_id` text PRIMARY KEY NOT NULL,
	`store_path` text,
	`release_id` text,
	`rollout_id` text,
	`cache_url` text,
	`confirm_window_ms` integer,
	`health_timeout_ms` integer,
	`health_checks` text,
	`poll_after_ms` integer,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `generation_confirmations` (
	`seq` integer PRIMARY KEY NOT NULL,
	`machine_id` text NOT NULL,
	`rollout_id` text,
	`store_path` text NOT NULL,
	`health_checks` text,
	`confirmed_at` integer NOT NULL,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `generation_confirmations_machine_idx` ON `generation_confirmations` (`machine_id`,`seq`);--> statement-breakpoint
CREATE INDEX `generation_confirmations_rollout_idx` ON `generation_confirmations` (`rollout_id`,`seq`);--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`actor_role` text,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`before` text,
	`after` text,
	`request_id` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_id_unique` ON `audit_events` (`id`);--> statement-breakpoint
CREATE INDEX `audit_events_at_idx` ON `audit_events` (`at`);--> statement-breakpoint
CREATE INDEX `audit_events_action_idx` ON `audit_events` (`action`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_events_target_idx` ON `audit_events` (`target_type`,`target_id`,`seq`);--> statement-breakpoint
CREATE TABLE `evidence_items` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`machine_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`kind` text NOT NULL,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`sha256` text NOT NULL,
	`payload` text NOT NULL,
	`control_id` text,
	`status` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `evidence_items_idempotency_idx` ON `evidence_items` (`machine_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `evidence_items_machine_time_idx` ON `evidence_items` (`machine_id`,`kind`,`collected_at`);--> statement-breakpoint
CREATE INDEX `evidence_items_control_idx` ON `evidence_items` (`control_id`,`collected_at`);--> statement-breakpoint
CREATE TABLE `evidence_requirements` (
	`evidence_seq` integer NOT NULL,
	`framework` text NOT NULL,
	`requirement` text NOT NULL,
	PRIMARY KEY(`evidence_seq`, `framework`, `requirement`)
);
--> statement-breakpoint
CREATE INDEX `evidence_requirements_req_idx` ON `evidence_requirements` (`framework`,`requirement`);--> statement-breakpoint
CREATE TABLE `machine_tags` (
	`machine_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`machine_id`, `tag`),
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `machine_tags_tag_idx` ON `machine_tags` (`tag`,`machine_id`);--> statement-breakpoint
CREATE TABLE `machines` (
	`id` text PRIMARY KEY NOT NULL,
	`host_name` text NOT NULL,
	`platform` text,
	`lifecycle` text NOT NULL,
	`registered_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_seen_at` integer,
	`last_state` text,
	`current_store_path` text
);
--> statement-breakpoint
CREATE INDEX `machines_lifecycle_idx` ON `machines` (`lifecycle`);--> statement-breakpoint
CREATE TABLE `release_hosts` (
	`release_id` text NOT NULL,
	`host` text NOT NULL,
	`toplevel` text NOT NULL,
	`failing` integer NOT NULL,
	PRIMARY KEY(`release_id`, `host`),
	FOREIGN KEY (`release_id`) REFERENCES `releases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `release_hosts_toplevel_idx` ON `release_hosts` (`toplevel`);--> statement-breakpoint
CREATE TABLE `releases` (
	`id` text PRIMARY KEY NOT NULL,
	`sha256` text NOT NULL,
	`manifest` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `releases_sha256_unique` ON `releases` (`sha256`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`machine_id` text,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`machine_id`) REFERENCES `machines`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_secret_hash_unique` ON `api_tokens` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_machine_idx` ON `api_tokens` (`machine_id`);--> statement-breakpoint
CREATE TABLE `certificate_revocations` (
	`serial` text PRIMARY KEY NOT NULL,
	`machine_id` text,
	`fingerprint` text,
	`revoked_at` integer NOT NULL,
	`reason` text
);
