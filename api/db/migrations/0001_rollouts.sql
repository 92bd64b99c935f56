CREATE TABLE `gate_decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`rollout_id` text,
	`release_id` text,
	`phase` text NOT NULL,
	`batch` integer,
	`decision` text NOT NULL,
	`decided_at` integer NOT NULL,
	`evidence_id` text NOT NULL,
	`sha256` text NOT NULL,
	`record` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gate_decisions_evidence_id_unique` ON `gate_decisions` (`evidence_id`);--> statement-breakpoint
CREATE INDEX `gate_decisions_rollout_idx` ON `gate_decisions` (`rollout_id`,`decided_at`);--> statement-breakpoint
CREATE TABLE `policies` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`document` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policies_version_unique` ON `policies` (`version`);--> statement-breakpoint
CREATE TABLE `rollout_batches` (
	`rollout_id` text NOT NULL,
	`idx` integer NOT NULL,
	`amount` text NOT NULL,
	`size` integer NOT NULL,
	`seq_length` integer NOT NULL,
	`next` integer NOT NULL,
	`timeout_cursor` integer NOT NULL,
	`phase` text NOT NULL,
	`accepted` integer NOT NULL,
	`in_flight` integer NOT NULL,
	`confirmed` integer NOT NULL,
	`failed` integer NOT NULL,
	`inconclusive` integer NOT NULL,
	`gate_decision_id` text,
	`started_at` integer,
	`bake_until` integer,
	`finished_at` integer,
	PRIMARY KEY(`rollout_id`, `idx`),
	FOREIGN KEY (`rollout_id`) REFERENCES `rollouts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rollout_commands` (
	`seq` integer PRIMARY KEY NOT NULL,
	`rollout_id` text NOT NULL,
	`command` text NOT NULL,
	`created_at` integer NOT NULL,
	`applied_at` integer,
	FOREIGN KEY (`rollout_id`) REFERENCES `rollouts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rollout_commands_pending_idx` ON `rollout_commands` (`seq`) WHERE applied_at IS NULL;--> statement-breakpoint
CREATE TABLE `rollout_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`rollout_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`batch` integer,
	`machine_id` text,
	`message` text NOT NULL,
	FOREIGN KEY (`rollout_id`) REFERENCES `rollouts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rollout_events_rollout_idx` ON `rollout_events` (`rollout_id`,`seq`);--> statement-breakpoint
CREATE TABLE `rollout_hosts` (
	`rollout_id` text NOT NULL,
	`machine_id` text NOT NULL,
	`position` integer NOT NULL,
	`batch` integer NOT NULL,
	`outcome` text NOT NULL,
	`attempt` integer NOT NULL,
	`seq` integer NOT NULL,
	`assigned_at` integer,
	`last_report_at` integer,
	`inconclusive` integer NOT NULL,
	`reason` text,
	`store_path` text NOT NULL,
	`previous_store_path` text,
	PRIMARY KEY(`rollout_id`, `machine_id`),
	FOREIGN KEY (`rollout_id`) REFERENCES `rollouts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rollout_hosts_machine_idx` ON `rollout_hosts` (`machine_id`);--> statement-breakpoint
CREATE INDEX `rollout_hosts_position_idx` ON `rollout_hosts` (`rollout_id`,`position`);--> statement-breakpoint
CREATE TABLE `rollouts` (
	`id` text PRIMARY KEY NOT NULL,
	`release_id` text,
	`rollback_of` text,
	`status` text NOT NULL,
	`spec` text NOT NULL,
	`current` integer NOT NULL,
	`pause_reason` text,
	`failure_reason` text,
	`failed_total` integer NOT NULL,
	`targets_total` integer NOT NULL,
	`revert_requested` integer NOT NULL,
	`revert_rollout_id` text,
	`previous_release_id` text,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rollouts_status_idx` ON `rollouts` (`status`);--> statement-breakpoint
CREATE INDEX `rollouts_release_idx` ON `rollouts` (`release_id`);--> statement-breakpoint
CREATE TABLE `scheduler_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `waivers` (
	`id` text PRIMARY KEY NOT NULL,
	`control_id` text NOT NULL,
	`hosts` text NOT NULL,
	`tags` text NOT NULL,
	`rationale` text NOT NULL,
	`requested_by` text NOT NULL,
	`requested_at` integer NOT NULL,
	`approved_by` text,
	`approved_at` integer,
	`expires_at` integer NOT NULL,
	`revoked_by` text,
	`revoked_at` integer,
	`revoke_reason` text
);
--> statement-breakpoint
CREATE INDEX `waivers_control_idx` ON `waivers` (`control_id`);