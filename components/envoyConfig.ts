import { createHash } from "node:crypto";
import { GatewayConfig, ServiceTask } from "./types";

/**
 * Envoy configuration of the API gateway, rendered from the services, the API keys and the
 * gateway settings. Pure: no Pulumi resources, no clock, no randomness — the same input
 * always renders byte-identical files, so an unchanged stack changes nothing in the Secret.
 *
 * The files (JSON, in one Kubernetes Secret mounted at `gatewayPaths.config`):
 * - `envoy.json` — the static bootstrap: admin on loopback, the readiness and metrics
 *   listeners, and file-based LDS/CDS. It depends on nothing but constants, so a change of
 *   services or keys never changes it (its checksum rolls the pods).
 * - `lds.json` — the API listener: filters, limits, timeouts, error bodies, access log.
 * - `rds.json` — the routes: one per service, matched on the body's `model`, with the
 *   credentials and each route's allowed keys; per-key rate limits. Keys and services live
 *   here, so rotating a key or adding a service swaps the route table in place: no
 *   listener is drained and in-flight streams finish on the table they started with.
 * - `cds.json` — one upstream cluster per running service.
 * - `sds.json` — only with TLS: the certificate files, watched for rotation.
 * The three xDS files are read with `path_config_source` + `watched_directory`, which
 * reloads them when kubelet swaps the Secret volume's `..data` symlink.
 */

/** A model service the gateway routes to. */
export interface GatewayRoute {
    /** Service name (RFC 1035 label); names the route and the upstream cluster. */
    name: string;
    /** `<owner>/<name>`: the value clients put in the body's `model`. */
    accessName: string;
    /** What the service serves; decides the endpoints it answers (see `endpointsByTask`). */
    task: ServiceTask;
    /** DNS name of the service's backend, e.g. `vllm-<name>.<namespace>.svc.cluster.local`. */
    backendHost: string;
    /** Port of the backend's OpenAI-compatible server. */
    backendPort: number;
    /** Running instances; 0 = stopped: requests get a 503 that says so. */
    instances: number;
}

/** An API key as the gateway checks it. */
export interface GatewayKey {
    /** Key name (RFC 1123 label); forwarded upstream and logged, never the value. */
    name: string;
    /** The secret key clients send as `Authorization: Bearer <value>`. */
    value: string;
    /** Service names this key may call, or `["*"]` for all. */
    services: string[];
    /** Requests per minute across all services, per gateway pod; unlimited when omitted. */
    requestsPerMinute?: number;
}

export interface EnvoyConfigInput {
    routes: GatewayRoute[];
    keys: GatewayKey[];
    gateway: GatewayConfig;
}

/** File name → file content (JSON text), in a stable order. */
export interface EnvoyConfigFiles {
    [fileName: string]: string;
}

/** Container ports of the Envoy pod. Only `api`/`apiTls` are exposed by the Service. */
export const gatewayPorts = {
    /** The OpenAI-compatible API, plain HTTP (when no TLS is configured). */
    api: 8080,
    /** The OpenAI-compatible API over TLS (when `gateway.tls` is set). */
    apiTls: 8443,
    /** `/ready` (Envoy's readiness, for the readiness probe) and `/healthz` (liveness). */
    readiness: 8081,
    /** `/stats/prometheus`, for Prometheus to scrape the pod directly. */
    metrics: 9102,
    /** Envoy's admin interface, bound to 127.0.0.1 only. */
    admin: 9901,
} as const;

/** Paths inside the Envoy pod, and the HTTP paths of the auxiliary listeners. */
export const gatewayPaths = {
    /** Mount point of the config Secret; also the watched directory. */
    config: "/etc/envoy",
    /** Mount point of the `gateway.tls` Secret (`tls.crt`, `tls.key`). */
    tls: "/etc/envoy-tls",
    readiness: "/ready",
    liveness: "/healthz",
    metrics: "/stats/prometheus",
} as const;

/** Names of the rendered files. */
export const envoyFiles = {
    bootstrap: "envoy.json",
    listeners: "lds.json",
    routes: "rds.json",
    clusters: "cds.json",
    tlsSecret: "sds.json",
} as const;

/** Request header carrying the caller's key name upstream (set by the gateway, never trusted from clients). */
export const keyNameHeader = "x-model-services-key-name";

/** Dynamic-metadata namespace the body's `model` is written to. */
export const metadataNamespace = "model-services";

/** Timeouts, in seconds. Streams have no overall deadline: an LLM answer may take minutes. */
export const gatewayTimeouts = {
    /** A stream (request or response) may sit this long without a byte before it is reset. */
    streamIdleSeconds: 600,
    /** The whole request (headers and body) must arrive within this. */
    requestSeconds: 300,
    /** The request headers must arrive within this. */
    requestHeadersSeconds: 10,
    /** Connecting to a backend. */
    connectSeconds: 5,
    /** Idle upstream connections close before vLLM's (uvicorn's) 5 s keep-alive does, so none is reused as it closes. */
    upstreamIdleSeconds: 4,
    /** Downstream connections idle this long are closed. */
    downstreamIdleSeconds: 900,
    /** Time in-flight streams get to finish when a listener is replaced (`--drain-time-s`) or the pod stops. */
    drainSeconds: 90,
} as const;

/** Memory limit of an Envoy container; the overload manager acts before it is reached. */
export const gatewayMemoryLimitMiB = 1024;

/** The OpenAI endpoints each task serves. A request for a model at another endpoint gets the 404 of an unknown model. */
export const endpointsByTask: Record<ServiceTask, readonly string[]> = {
    [ServiceTask.Chat]: ["/v1/chat/completions", "/v1/completions"],
    [ServiceTask.Vision]: ["/v1/chat/completions", "/v1/completions"],
    [ServiceTask.Embedding]: ["/v1/embeddings"],
    [ServiceTask.ImageGeneration]: ["/v1/images/generations"],
};

/** Every endpoint routed by the body's `model`. */
export const inferenceEndpoints = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/images/generations"] as const;

/** Name of the route table, the API listener's HTTP filters and the route names. */
export const routeNames = {
    table: "api",
    models: "models",
    missingModel: "missing-model",
    invalidBody: "invalid-body",
    unknownModel: "unknown-model",
    unknownEndpoint: "unknown-endpoint",
    service: (serviceName: string) => `service-${serviceName}`,
} as const;

/** Upstream cluster of a service. */
export function clusterName(serviceName: string): string {
    return `service-${serviceName}`;
}

export const httpFilterNames = {
    headerMutation: "envoy.filters.http.header_mutation",
    buffer: "envoy.filters.http.buffer",
    jsonToMetadata: "envoy.filters.http.json_to_metadata",
    apiKeyAuth: "envoy.filters.http.api_key_auth",
    localRateLimit: "envoy.filters.http.local_ratelimit",
    router: "envoy.filters.http.router",
} as const;

/** An OpenAI-shaped error, as clients' SDKs parse it into their error classes. */
export interface OpenAiError {
    error: { message: string; type: string; code: string };
}

const MiB = 1024 * 1024;
const adminCluster = "envoy-admin";
const tlsSecretName = "api-tls";
/** Upstream flags of a 503 Envoy answers itself because no backend could take the request. */
const unavailableFlags = ["UH", "UF", "UO", "URX", "UC", "UR", "NC"];
const keyDescriptor = "api_key";
/** A default bucket no caller reaches: keys without a limit are not limited. */
const unlimitedPerSecond = 1_000_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function typed(type: string, body: JsonObject): JsonObject {
    return { "@type": `type.googleapis.com/${type}`, ...body };
}

function seconds(s: number): string {
    return `${s}s`;
}

function socketAddress(address: string, port: number): JsonObject {
    return { socket_address: { address, port_value: port } };
}

function fileSource(fileName: string): JsonObject {
    return {
        path_config_source: { path: `${gatewayPaths.config}/${fileName}`, watched_directory: { path: gatewayPaths.config } },
        resource_api_version: "V3",
    };
}

function openAiError(message: string, type: string, code: string): OpenAiError {
    return { error: { message, type, code } };
}

const jsonContentType: JsonObject = { header: { key: "content-type", value: "application/json" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" };

/** A route answering with a fixed JSON body. */
function directJson(status: number, body: Json): JsonObject {
    return { direct_response: { status, body: { inline_string: JSON.stringify(body) } }, response_headers_to_add: [jsonContentType] };
}

function statusIs(status: number): JsonObject {
    return { status_code_filter: { comparison: { op: "EQ", value: { default_value: status, runtime_key: `model_services.local_reply.${status}` } } } };
}

function jsonBody(body: OpenAiError): JsonObject {
    return { json_format: body as unknown as JsonObject, content_type: "application/json" };
}

/** Checks the input the way the config parser does, so a direct caller cannot render an ambiguous config. */
function checkInput(input: EnvoyConfigInput): void {
    const problems: string[] = [];
    const seen = (values: string[], what: string) => {
        const dup = values.filter((v, i) => values.indexOf(v) !== i);
        for (const v of [...new Set(dup)]) {
            problems.push(`${what} ${JSON.stringify(v)} appears more than once`);
        }
    };
    const label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
    seen(input.routes.map((r) => r.name), "service name");
    seen(input.routes.map((r) => r.accessName), "access name");
    seen(input.keys.map((k) => k.name), "key name");
    if (new Set(input.keys.map((k) => k.value)).size !== input.keys.length) {
        problems.push("two API keys have the same value");
    }
    const names = new Set(input.routes.map((r) => r.name));
    for (const r of input.routes) {
        if (!label.test(r.name)) problems.push(`service name ${JSON.stringify(r.name)} is not an RFC 1123 label`);
        if (!r.accessName || /[\s%]/.test(r.accessName)) problems.push(`access name ${JSON.stringify(r.accessName)} is empty or has whitespace or '%'`);
        if (!Number.isInteger(r.instances) || r.instances < 0) problems.push(`service ${r.name}: instances must be a whole number ≥ 0, got ${r.instances}`);
        if (!Number.isInteger(r.backendPort) || r.backendPort < 1 || r.backendPort > 65535) problems.push(`service ${r.name}: backendPort must be a port number, got ${r.backendPort}`);
        if (!r.backendHost) problems.push(`service ${r.name}: backendHost is empty`);
        if (!(r.task in endpointsByTask)) problems.push(`service ${r.name}: unknown task ${JSON.stringify(r.task)}`);
    }
    for (const k of input.keys) {
        if (!label.test(k.name)) problems.push(`key name ${JSON.stringify(k.name)} is not an RFC 1123 label`);
        if (!k.value || /\s/.test(k.value)) problems.push(`key ${k.name}: the value is empty or has whitespace`);
        for (const s of k.services) {
            if (s !== "*" && !names.has(s)) problems.push(`key ${k.name}: service ${JSON.stringify(s)} does not exist`);
        }
        if (k.requestsPerMinute !== undefined && (!Number.isInteger(k.requestsPerMinute) || k.requestsPerMinute < 1)) {
            problems.push(`key ${k.name}: requestsPerMinute must be a whole number ≥ 1, got ${k.requestsPerMinute}`);
        }
    }
    if (!Number.isInteger(input.gateway.maxRequestBodyMiB) || input.gateway.maxRequestBodyMiB < 1 || input.gateway.maxRequestBodyMiB > 4095) {
        problems.push(`gateway.maxRequestBodyMiB must be a whole number from 1 to 4095, got ${input.gateway.maxRequestBodyMiB}`);
    }
    if (problems.length > 0) {
        throw new Error(`Cannot render the gateway's Envoy config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

/** The names of the keys allowed to call a service, sorted. */
export function allowedKeyNames(keys: GatewayKey[], serviceName: string): string[] {
    return keys
        .filter((k) => k.services.includes("*") || k.services.includes(serviceName))
        .map((k) => k.name)
        .sort();
}

/** The `GET /v1/models` answer: OpenAI's list shape, access names as ids, sorted. */
export function modelsList(routes: GatewayRoute[]): { object: "list"; data: { id: string; object: "model"; created: number; owned_by: string }[] } {
    return {
        object: "list",
        data: [...routes]
            .sort((a, b) => compare(a.accessName, b.accessName))
            .map((r) => ({ id: r.accessName, object: "model", created: 0, owned_by: r.accessName.includes("/") ? r.accessName.slice(0, r.accessName.indexOf("/")) : "model-services" })),
    };
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** The error bodies the gateway answers with, by status. `%…%` are Envoy substitutions. */
export function errorBodies(maxRequestBodyMiB: number): Record<string, OpenAiError> {
    const model = `%DYNAMIC_METADATA(${metadataNamespace}:model):200%`;
    return {
        "400-missing-model": openAiError("You must provide a model parameter: the JSON body's \"model\" field names the model, as GET /v1/models lists them.", "invalid_request_error", "missing_model"),
        "400-invalid-body": openAiError("The request body is not a JSON object, or its Content-Type is not application/json.", "invalid_request_error", "invalid_json"),
        "401": openAiError("Incorrect or missing API key. Send it as the header 'Authorization: Bearer <key>'.", "invalid_request_error", "invalid_api_key"),
        "403": openAiError(`This API key is not allowed to use the model '${model}'.`, "permission_error", "model_not_allowed"),
        "404-model": openAiError(`The model '${model}' does not exist or is not served at this endpoint. GET /v1/models lists the models.`, "invalid_request_error", "model_not_found"),
        "404-endpoint": openAiError(
            `Unknown endpoint: %REQ(:METHOD)% %REQ(:PATH):200%. This gateway serves POST ${inferenceEndpoints.join(", ")} and GET /v1/models.`,
            "invalid_request_error",
            "unknown_url",
        ),
        "408": openAiError(`The request timed out: the request did not arrive in time, or nothing moved for ${gatewayTimeouts.streamIdleSeconds} s.`, "invalid_request_error", "request_timeout"),
        "413": openAiError(`The request body is larger than the gateway's limit of ${maxRequestBodyMiB} MiB.`, "invalid_request_error", "request_too_large"),
        "429": openAiError(`Rate limit reached for the API key '%REQ(${keyNameHeader})%'. Retry after the number of seconds in the Retry-After header.`, "requests", "rate_limit_exceeded"),
        "503-overloaded": openAiError("The gateway is overloaded. Retry shortly.", "server_error", "overloaded"),
        "503-unavailable": openAiError(`The model '${model}' has no instance ready to take the request. Retry shortly.`, "server_error", "model_unavailable"),
    };
}

/** The 503 of a stopped service: fixed text, since the model is known when rendering. */
export function stoppedBody(accessName: string): OpenAiError {
    return openAiError(`The model '${accessName}' is stopped (0 instances). Set its instances to 1 or more in the stack config to start it.`, "server_error", "model_stopped");
}

function readinessListener(): JsonObject {
    const routeConfig: JsonObject = {
        name: "readiness",
        virtual_hosts: [
            {
                name: "readiness",
                domains: ["*"],
                routes: [
                    // Envoy's own readiness: 200 once the listeners, routes and clusters are loaded, 503 while starting or draining.
                    { name: "ready", match: { path: gatewayPaths.readiness }, route: { cluster: adminCluster, timeout: "2s" } },
                    // Answered by the worker threads themselves: the process serves HTTP.
                    { name: "alive", match: { path: gatewayPaths.liveness }, direct_response: { status: 200, body: { inline_string: "ok\n" } } },
                    { name: "other", match: { prefix: "/" }, direct_response: { status: 404 } },
                ],
            },
        ],
    };
    return auxListener("readiness", gatewayPorts.readiness, routeConfig);
}

function metricsListener(): JsonObject {
    const routeConfig: JsonObject = {
        name: "metrics",
        virtual_hosts: [
            {
                name: "metrics",
                domains: ["*"],
                routes: [
                    // Only the Prometheus page of admin is reachable from outside the pod, and only with GET.
                    {
                        name: "prometheus",
                        match: { path: gatewayPaths.metrics, headers: [{ name: ":method", string_match: { exact: "GET" } }] },
                        route: { cluster: adminCluster, timeout: "10s" },
                    },
                    { name: "other", match: { prefix: "/" }, direct_response: { status: 404 } },
                ],
            },
        ],
    };
    return auxListener("metrics", gatewayPorts.metrics, routeConfig);
}

function auxListener(name: string, port: number, routeConfig: JsonObject): JsonObject {
    return {
        name,
        address: socketAddress("0.0.0.0", port),
        filter_chains: [
            {
                filters: [
                    {
                        name: "envoy.filters.network.http_connection_manager",
                        typed_config: typed("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", {
                            stat_prefix: name,
                            route_config: routeConfig,
                            http_filters: [{ name: httpFilterNames.router, typed_config: typed("envoy.extensions.filters.http.router.v3.Router", {}) }],
                        }),
                    },
                ],
            },
        ],
    };
}

function bootstrap(): JsonObject {
    return {
        node: { id: "model-gateway", cluster: "model-gateway" },
        admin: {
            address: socketAddress("127.0.0.1", gatewayPorts.admin),
            // Even on loopback, the pages that print the config (and so the keys) stay closed.
            allow_paths: [
                { exact: gatewayPaths.readiness },
                { prefix: "/stats" },
                { prefix: "/server_info" },
                { prefix: "/clusters" },
                { prefix: "/listeners" },
                { prefix: "/certs" },
                { prefix: "/memory" },
                { prefix: "/logging" },
                { prefix: "/drain_listeners" },
            ],
        },
        static_resources: {
            listeners: [readinessListener(), metricsListener()],
            clusters: [
                {
                    name: adminCluster,
                    type: "STATIC",
                    connect_timeout: "1s",
                    load_assignment: { cluster_name: adminCluster, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress("127.0.0.1", gatewayPorts.admin) } }] }] },
                },
            ],
        },
        dynamic_resources: {
            lds_config: fileSource(envoyFiles.listeners),
            cds_config: fileSource(envoyFiles.clusters),
        },
        overload_manager: {
            refresh_interval: "0.25s",
            resource_monitors: [
                {
                    name: "envoy.resource_monitors.fixed_heap",
                    typed_config: typed("envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig", { max_heap_size_bytes: String(gatewayMemoryLimitMiB * MiB) }),
                },
                {
                    name: "envoy.resource_monitors.global_downstream_max_connections",
                    typed_config: typed("envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig", { max_active_downstream_connections: "50000" }),
                },
            ],
            actions: [
                { name: "envoy.overload_actions.disable_http_keepalive", triggers: [{ name: "envoy.resource_monitors.fixed_heap", threshold: { value: 0.92 } }] },
                { name: "envoy.overload_actions.stop_accepting_requests", triggers: [{ name: "envoy.resource_monitors.fixed_heap", threshold: { value: 0.95 } }] },
            ],
        },
    };
}

function accessLog(): JsonObject[] {
    // Never the Authorization header: the key's name identifies the caller.
    const format: JsonObject = {
        time: "%START_TIME%",
        key_name: `%REQ(${keyNameHeader})%`,
        model: `%DYNAMIC_METADATA(${metadataNamespace}:model):200%`,
        method: "%REQ(:METHOD)%",
        path: "%REQ(:PATH):200%",
        route: "%ROUTE_NAME%",
        status: "%RESPONSE_CODE%",
        response_flags: "%RESPONSE_FLAGS%",
        details: "%RESPONSE_CODE_DETAILS%",
        bytes_received: "%BYTES_RECEIVED%",
        bytes_sent: "%BYTES_SENT%",
        duration_ms: "%DURATION%",
        upstream_time_ms: "%RESP(x-envoy-upstream-service-time)%",
        upstream_host: "%UPSTREAM_HOST%",
        request_id: "%REQ(x-request-id)%",
        client: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
        user_agent: "%REQ(user-agent):200%",
    };
    return [
        {
            name: "envoy.access_loggers.stdout",
            typed_config: typed("envoy.extensions.access_loggers.stream.v3.StdoutAccessLog", { log_format: { json_format: format } }),
        },
    ];
}

function localReplies(maxRequestBodyMiB: number): JsonObject {
    const bodies = errorBodies(maxRequestBodyMiB);
    const mapper = (filter: JsonObject, body: OpenAiError, extra: JsonObject = {}): JsonObject => ({ filter, body_format_override: jsonBody(body), ...extra });
    return {
        mappers: [
            mapper(statusIs(401), bodies["401"], {
                headers_to_add: [{ header: { key: "www-authenticate", value: 'Bearer realm="model-services"' }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }],
            }),
            mapper(statusIs(403), bodies["403"]),
            mapper(statusIs(408), bodies["408"]),
            mapper(statusIs(413), bodies["413"]),
            mapper(statusIs(429), bodies["429"]),
            mapper({ and_filter: { filters: [statusIs(503), { response_flag_filter: { flags: ["OM"] } }] } }, bodies["503-overloaded"]),
            // Only Envoy's own 503s for a backend it could not reach: a stopped service's 503 keeps its own body.
            mapper({ and_filter: { filters: [statusIs(503), { response_flag_filter: { flags: unavailableFlags } }] } }, bodies["503-unavailable"]),
        ],
    };
}

function httpFilters(maxRequestBodyMiB: number): JsonObject[] {
    return [
        // A client cannot pose as another key: the header is the gateway's to set.
        {
            name: httpFilterNames.headerMutation,
            typed_config: typed("envoy.extensions.filters.http.header_mutation.v3.HeaderMutation", { mutations: { request_mutations: [{ remove: keyNameHeader }] } }),
        },
        // Buffers the body (json_to_metadata needs all of it) up to the limit, then 413.
        {
            name: httpFilterNames.buffer,
            typed_config: typed("envoy.extensions.filters.http.buffer.v3.Buffer", { max_request_bytes: maxRequestBodyMiB * MiB }),
        },
        // body.model → dynamic metadata model-services:model; the route is picked after it.
        {
            name: httpFilterNames.jsonToMetadata,
            typed_config: typed("envoy.extensions.filters.http.json_to_metadata.v3.JsonToMetadata", {
                request_rules: {
                    rules: [
                        {
                            selectors: [{ key: "model" }],
                            on_present: { metadata_namespace: metadataNamespace, key: "model", type: "STRING" },
                            on_missing: { metadata_namespace: metadataNamespace, key: "model_error", value: "missing" },
                            on_error: { metadata_namespace: metadataNamespace, key: "model_error", value: "invalid" },
                        },
                    ],
                    allow_empty_content_type: true,
                    allow_content_types_regex: { regex: "(?i)application/json\\s*(;.*)?" },
                },
            }),
        },
        // Keys come with the route table (rds.json), so they rotate without touching the listener.
        {
            name: httpFilterNames.apiKeyAuth,
            typed_config: typed("envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuth", {
                key_sources: [{ header: "authorization" }],
                forwarding: { header: keyNameHeader, hide_credentials: true },
            }),
        },
        // Limits come with the route table too; without one this filter does nothing.
        {
            name: httpFilterNames.localRateLimit,
            typed_config: typed("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", { stat_prefix: "api_key_rate_limit" }),
        },
        { name: httpFilterNames.router, typed_config: typed("envoy.extensions.filters.http.router.v3.Router", {}) },
    ];
}

function apiListener(gateway: GatewayConfig): JsonObject {
    const tls = gateway.tls !== undefined;
    const hcm = typed("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", {
        stat_prefix: "api",
        codec_type: "AUTO",
        server_name: "model-gateway",
        use_remote_address: true,
        normalize_path: true,
        merge_slashes: true,
        stream_idle_timeout: seconds(gatewayTimeouts.streamIdleSeconds),
        request_timeout: seconds(gatewayTimeouts.requestSeconds),
        request_headers_timeout: seconds(gatewayTimeouts.requestHeadersSeconds),
        common_http_protocol_options: { idle_timeout: seconds(gatewayTimeouts.downstreamIdleSeconds) },
        http2_protocol_options: { max_concurrent_streams: 100, initial_stream_window_size: 65536, initial_connection_window_size: 1048576 },
        rds: { config_source: fileSource(envoyFiles.routes), route_config_name: routeNames.table },
        http_filters: httpFilters(gateway.maxRequestBodyMiB),
        local_reply_config: localReplies(gateway.maxRequestBodyMiB),
        access_log: accessLog(),
    });
    const filterChain: JsonObject = { filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: hcm }] };
    if (tls) {
        filterChain.transport_socket = {
            name: "envoy.transport_sockets.tls",
            typed_config: typed("envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext", {
                common_tls_context: {
                    alpn_protocols: ["h2", "http/1.1"],
                    tls_params: { tls_minimum_protocol_version: "TLSv1_2" },
                    tls_certificate_sds_secret_configs: [{ name: tlsSecretName, sds_config: fileSource(envoyFiles.tlsSecret) }],
                },
            }),
        };
    }
    return typed("envoy.config.listener.v3.Listener", {
        name: tls ? "api-tls" : "api",
        address: socketAddress("0.0.0.0", tls ? gatewayPorts.apiTls : gatewayPorts.api),
        per_connection_buffer_limit_bytes: MiB,
        filter_chains: [filterChain],
    });
}

/** `^/v1/(a|b)$` for a set of endpoints. */
function endpointRegex(endpoints: readonly string[]): string {
    const alternatives = endpoints.map((e) => e.slice("/v1/".length).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return `^/v1/(${alternatives.join("|")})$`;
}

const postOnly: JsonObject = { name: ":method", string_match: { exact: "POST" } };

function modelIs(accessName: string): JsonObject {
    return { filter: metadataNamespace, path: [{ key: "model" }], value: { string_match: { exact: accessName } } };
}

function modelErrorIs(kind: string): JsonObject {
    return { filter: metadataNamespace, path: [{ key: "model_error" }], value: { string_match: { exact: kind } } };
}

function routeTable(routes: GatewayRoute[], keys: GatewayKey[], gateway: GatewayConfig): JsonObject {
    const credentials = keys.map((k) => ({ key: k.value, client: k.name }));
    // Every route carries the credentials: a route's own config replaces the filter's, it does not merge.
    const auth = (allowed?: string[]): JsonObject => ({
        [httpFilterNames.apiKeyAuth]: typed("envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuthPerRoute", allowed ? { credentials, allowed_clients: allowed } : { credentials }),
    });
    const bodies = errorBodies(gateway.maxRequestBodyMiB);
    const inference = endpointRegex(inferenceEndpoints);

    const serviceRoutes = routes.map((r): JsonObject => {
        const allowed = allowedKeyNames(keys, r.name);
        const match: JsonObject = { safe_regex: { regex: endpointRegex(endpointsByTask[r.task]) }, headers: [postOnly], dynamic_metadata: [modelIs(r.accessName)] };
        const base: JsonObject = { name: routeNames.service(r.name), match };
        if (allowed.length === 0) {
            // An empty allowed list would let every key in; with no key allowed, the route refuses all.
            return { ...base, direct_response: { status: 403 }, typed_per_filter_config: auth() };
        }
        if (r.instances === 0) {
            return { ...base, ...directJson(503, stoppedBody(r.accessName) as unknown as Json), typed_per_filter_config: auth(allowed) };
        }
        return {
            ...base,
            route: {
                cluster: clusterName(r.name),
                // No deadline for the whole stream; stream_idle_timeout still ends a stalled one.
                timeout: "0s",
                idle_timeout: seconds(gatewayTimeouts.streamIdleSeconds),
                // Only failures where the request cannot have reached vLLM: a generation never runs twice.
                retry_policy: {
                    retry_on: "connect-failure,refused-stream,reset-before-request",
                    num_retries: 2,
                    retry_back_off: { base_interval: "0.25s", max_interval: "1s" },
                },
            },
            typed_per_filter_config: auth(allowed),
        };
    });

    const limited = keys.filter((k) => k.requestsPerMinute !== undefined);
    const virtualHost: JsonObject = {
        name: "api",
        domains: ["*"],
        routes: [
            {
                name: routeNames.models,
                match: { path: "/v1/models", headers: [{ name: ":method", string_match: { exact: "GET" } }] },
                ...directJson(200, modelsList(routes) as unknown as Json),
                typed_per_filter_config: auth(),
            },
            ...serviceRoutes,
            {
                name: routeNames.missingModel,
                match: { safe_regex: { regex: inference }, headers: [postOnly], dynamic_metadata: [modelErrorIs("missing")] },
                ...directJson(400, bodies["400-missing-model"] as unknown as Json),
                typed_per_filter_config: auth(),
            },
            {
                name: routeNames.invalidBody,
                match: { safe_regex: { regex: inference }, headers: [postOnly], dynamic_metadata: [modelErrorIs("invalid")] },
                ...directJson(400, bodies["400-invalid-body"] as unknown as Json),
                typed_per_filter_config: auth(),
            },
            {
                name: routeNames.unknownModel,
                match: { safe_regex: { regex: inference }, headers: [postOnly] },
                direct_response: { status: 404, body_format: jsonBody(bodies["404-model"]) },
                response_headers_to_add: [jsonContentType],
                typed_per_filter_config: auth(),
            },
            {
                name: routeNames.unknownEndpoint,
                match: { prefix: "/" },
                direct_response: { status: 404, body_format: jsonBody(bodies["404-endpoint"]) },
                response_headers_to_add: [jsonContentType],
                typed_per_filter_config: auth(),
            },
        ],
    };
    if (limited.length > 0) {
        virtualHost.typed_per_filter_config = {
            // Per virtual host, so one bucket per key spans every service; per gateway pod.
            [httpFilterNames.localRateLimit]: typed("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", {
                stat_prefix: "api_key_rate_limit",
                token_bucket: { max_tokens: unlimitedPerSecond, tokens_per_fill: unlimitedPerSecond, fill_interval: "1s" },
                filter_enabled: { default_value: { numerator: 100, denominator: "HUNDRED" }, runtime_key: "model_services.rate_limit.enabled" },
                filter_enforced: { default_value: { numerator: 100, denominator: "HUNDRED" }, runtime_key: "model_services.rate_limit.enforced" },
                rate_limits: [{ actions: [{ request_headers: { header_name: keyNameHeader, descriptor_key: keyDescriptor } }] }],
                descriptors: limited.map((k) => ({
                    entries: [{ key: keyDescriptor, value: k.name }],
                    token_bucket: { max_tokens: k.requestsPerMinute as number, tokens_per_fill: k.requestsPerMinute as number, fill_interval: "60s" },
                })),
                always_consume_default_token_bucket: false,
                enable_x_ratelimit_headers: "DRAFT_VERSION_03",
                enable_retry_after_header: true,
            }),
        };
    }
    return typed("envoy.config.route.v3.RouteConfiguration", {
        name: routeNames.table,
        // Routes may name a cluster cds.json has not delivered yet (both files reload together): 503 for a moment, never a rejected table.
        validate_clusters: false,
        virtual_hosts: [virtualHost],
    });
}

function cluster(r: GatewayRoute): JsonObject {
    const name = clusterName(r.name);
    return typed("envoy.config.cluster.v3.Cluster", {
        name,
        connect_timeout: seconds(gatewayTimeouts.connectSeconds),
        cluster_type: {
            name: "envoy.clusters.dns",
            typed_config: typed("envoy.extensions.clusters.dns.v3.DnsCluster", { dns_refresh_rate: "5s", dns_lookup_family: "V4_PREFERRED" }),
        },
        // Each address DNS returns is an endpoint (one per pod behind a headless Service); the least busy gets the request.
        lb_policy: "LEAST_REQUEST",
        load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(r.backendHost, r.backendPort) } }] }] },
        // Long generations hold requests open: room for many at once before Envoy sheds load.
        circuit_breakers: { thresholds: [{ priority: "DEFAULT", max_connections: 4096, max_pending_requests: 4096, max_requests: 4096, max_retries: 64 }] },
        typed_extension_protocol_options: {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": typed("envoy.extensions.upstreams.http.v3.HttpProtocolOptions", {
                common_http_protocol_options: { idle_timeout: seconds(gatewayTimeouts.upstreamIdleSeconds) },
                explicit_http_config: { http_protocol_options: {} },
            }),
        },
    });
}

function tlsSecret(): JsonObject {
    return typed("envoy.extensions.transport_sockets.tls.v3.Secret", {
        name: tlsSecretName,
        tls_certificate: {
            certificate_chain: { filename: `${gatewayPaths.tls}/tls.crt` },
            private_key: { filename: `${gatewayPaths.tls}/tls.key` },
            // kubelet swaps the mounted Secret atomically; the pair is re-read on that move.
            watched_directory: { path: gatewayPaths.tls },
        },
    });
}

/** A file-based xDS response; its version is a digest of the resources, shown in Envoy's stats. */
function discoveryResponse(type: string, resources: JsonObject[]): JsonObject {
    const version = createHash("sha256").update(JSON.stringify(resources)).digest("hex").slice(0, 16);
    return { version_info: version, type_url: `type.googleapis.com/${type}`, resources };
}

function render(value: Json): string {
    return `${JSON.stringify(value, null, 2)}\n`;
}

/** The bootstrap file alone. It depends on no input: services and keys never roll the pods. */
export function renderBootstrap(): string {
    return render(bootstrap());
}

/**
 * Renders the gateway's Envoy files. Routes and keys are sorted by name first, so their
 * order in the input does not matter.
 *
 * @throws Error listing every problem when names repeat, a key names an unknown service,
 *   or a value is out of range (the config parser rejects these earlier).
 */
export function renderEnvoyConfig(input: EnvoyConfigInput): EnvoyConfigFiles {
    checkInput(input);
    const routes = [...input.routes].sort((a, b) => compare(a.name, b.name));
    const keys = [...input.keys].sort((a, b) => compare(a.name, b.name)).map((k) => ({ ...k, services: [...k.services].sort() }));
    const running = routes.filter((r) => r.instances > 0);

    const files: EnvoyConfigFiles = {
        [envoyFiles.clusters]: render(discoveryResponse("envoy.config.cluster.v3.Cluster", running.map(cluster))),
        [envoyFiles.bootstrap]: renderBootstrap(),
        [envoyFiles.listeners]: render(discoveryResponse("envoy.config.listener.v3.Listener", [apiListener(input.gateway)])),
        [envoyFiles.routes]: render(discoveryResponse("envoy.config.route.v3.RouteConfiguration", [routeTable(routes, keys, input.gateway)])),
    };
    if (input.gateway.tls) {
        files[envoyFiles.tlsSecret] = render(discoveryResponse("envoy.extensions.transport_sockets.tls.v3.Secret", [tlsSecret()]));
    }
    return Object.fromEntries(Object.entries(files).sort(([a], [b]) => compare(a, b)));
}
