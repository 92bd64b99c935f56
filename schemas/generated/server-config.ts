/* Generated from schemas/server-config.schema.json by scripts/gen-types.mjs. Do not edit; run npm run gen. */

/**
 * Configuration of `nixfleet server`, merged from a config file, NIXFLEET_* environment variables and flags (flags win), validated once at start.
 */
export interface ServerConfig {
/**
 * HOST:PORT; port 0 picks a free port
 */
listen: string
/**
 * HOST:PORT of a dedicated agent listener: TLS that requires a client certificate signed by tls.clientCa (refused at the handshake otherwise), serving only the agent endpoints and /healthz. When set, the listen port serves people only and asks for no client certificate. Needs tls.cert, tls.key and tls.clientCa
 */
agentListen?: string
/**
 * SQLite database file (created when missing)
 */
db: string
tls?: {
/**
 * server certificate (PEM)
 */
cert: string
/**
 * server private key (PEM)
 */
key: string
/**
 * CA certificate (PEM) that signs agent certificates; enables mTLS for agents
 */
clientCa?: string
}
/**
 * allow plain HTTP on a non-loopback address (agents then need per-machine tokens)
 */
insecureHttp?: boolean
maxBodyBytes?: number
/**
 * poll hint given to agents
 */
pollAfterMs?: number
/**
 * evidence older than this counts as missing
 */
evidenceFreshnessMs?: number
/**
 * how long a verified token or certificate stays cached; bounds how late a revocation made by another process is seen
 */
credentialCacheTtlMs?: number
logLevel?: ("fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent")
}

export const serverConfigSchema = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://nixfleet.dev/schemas/server-config.schema.json",
  "title": "ServerConfig",
  "description": "Configuration of `nixfleet server`, merged from a config file, NIXFLEET_* environment variables and flags (flags win), validated once at start.",
  "type": "object",
  "required": [
    "listen",
    "db"
  ],
  "additionalProperties": false,
  "properties": {
    "listen": {
      "type": "string",
      "pattern": "^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
      "description": "HOST:PORT; port 0 picks a free port"
    },
    "agentListen": {
      "type": "string",
      "pattern": "^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
      "description": "HOST:PORT of a dedicated agent listener: TLS that requires a client certificate signed by tls.clientCa (refused at the handshake otherwise), serving only the agent endpoints and /healthz. When set, the listen port serves people only and asks for no client certificate. Needs tls.cert, tls.key and tls.clientCa"
    },
    "db": {
      "type": "string",
      "minLength": 1,
      "description": "SQLite database file (created when missing)"
    },
    "tls": {
      "type": "object",
      "required": [
        "cert",
        "key"
      ],
      "additionalProperties": false,
      "properties": {
        "cert": {
          "type": "string",
          "minLength": 1,
          "description": "server certificate (PEM)"
        },
        "key": {
          "type": "string",
          "minLength": 1,
          "description": "server private key (PEM)"
        },
        "clientCa": {
          "type": "string",
          "minLength": 1,
          "description": "CA certificate (PEM) that signs agent certificates; enables mTLS for agents"
        }
      }
    },
    "insecureHttp": {
      "type": "boolean",
      "description": "allow plain HTTP on a non-loopback address (agents then need per-machine tokens)"
    },
    "maxBodyBytes": {
      "type": "integer",
      "minimum": 1024,
      "maximum": 268435456
    },
    "pollAfterMs": {
      "type": "integer",
      "minimum": 100,
      "maximum": 86400000,
      "description": "poll hint given to agents"
    },
    "evidenceFreshnessMs": {
      "type": "integer",
      "minimum": 1000,
      "description": "evidence older than this counts as missing"
    },
    "credentialCacheTtlMs": {
      "type": "integer",
      "minimum": 0,
      "maximum": 600000,
      "description": "how long a verified token or certificate stays cached; bounds how late a revocation made by another process is seen"
    },
    "logLevel": {
      "type": "string",
      "enum": [
        "fatal",
        "error",
        "warn",
        "info",
        "debug",
        "trace",
        "silent"
      ]
    }
  }
} as const;
