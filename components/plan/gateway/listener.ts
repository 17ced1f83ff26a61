import { GatewayServiceType } from "../../config/rules";
import { GatewayConfig } from "../../config/types";
import { envoyFiles, errorBodies, gatewayPorts, gatewayTimeouts, httpFilterNames, keyNameHeader, metadataNamespace, OpenAiError, routeNames, strippedRequestHeaders, tlsSecretName, keyNameOperator } from "./contract";
import { authnConfig, keyNameConfig } from "./keys";
import { scaleUpHeader, scalingUpMapper } from "./scaleToZero";
import { fileSource, JsonObject, jsonBody, MiB, seconds, socketAddress, statusIs, typed } from "./json";

/** The API listener (`lds.json`): HTTP filters, limits, timeouts, error bodies, access log. */

/** Upstream flags of a 503 Envoy answers itself because no backend could take the request. */
const unavailableFlags = ["UH", "UF", "UO", "URX", "UC", "UR", "NC"];

/** The access log's JSON fields → Envoy command operators; `usage` reads the log by these operators. */
export function accessLogFormat(): Record<string, string> {
    // Never the Authorization header: the key's name identifies the caller.
    return {
        time: "%START_TIME%",
        key_name: keyNameOperator,
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
}

function accessLog(): JsonObject[] {
    const format: JsonObject = accessLogFormat();
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
            scalingUpMapper(),
            // Only Envoy's own 503s for a backend it could not reach: a stopped service's 503 keeps its own body.
            mapper({ and_filter: { filters: [statusIs(503), { response_flag_filter: { flags: unavailableFlags } }] } }, bodies["503-unavailable"]),
        ],
    };
}

/** A filter whose config is its own file (ECDS), so changing it swaps neither the listener nor the route table. */
function discoveredFilter(name: string, fileName: string, type: string): JsonObject {
    return { name, config_discovery: { config_source: fileSource(fileName), type_urls: [`type.googleapis.com/${type}`] } };
}

/**
 * The chain: everything that needs no body first, so a caller without a valid key costs no
 * buffer and no JSON parse; then the body, its `model`, and the key's scope for the route
 * the model chose.
 */
function httpFilters(maxRequestBodyMiB: number): JsonObject[] {
    return [
        // A client cannot pose as another key, nor steer vLLM's data-parallel rank or traces.
        {
            name: httpFilterNames.headerMutation,
            typed_config: typed("envoy.extensions.filters.http.header_mutation.v3.HeaderMutation", {
                mutations: { request_mutations: [keyNameHeader, scaleUpHeader, ...strippedRequestHeaders].map((h) => ({ remove: h })) },
            }),
        },
        // 401 for a missing or unknown key, on the headers alone. The credentials come with the route table.
        { name: httpFilterNames.apiKeyAuthn, typed_config: typed("envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuth", authnConfig()) },
        { name: httpFilterNames.keyName, typed_config: typed("envoy.extensions.filters.http.header_to_metadata.v3.Config", keyNameConfig()) },
        // 429 before the body is read, too.
        discoveredFilter(httpFilterNames.localRateLimit, envoyFiles.rateLimits, "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"),
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
        // 403 when the key may not call the model the route was chosen by; routes without a scope admit every authenticated key.
        { name: httpFilterNames.apiKeyScope, typed_config: typed("envoy.extensions.filters.http.rbac.v3.RBAC", {}) },
        { name: httpFilterNames.router, typed_config: typed("envoy.extensions.filters.http.router.v3.Router", {}) },
    ];
}

/**
 * The NLB (ip targets) sends a PROXY v2 header with the caller's address, so the access log
 * and x-forwarded-for name the caller, not the NLB. Connections without one (in-cluster
 * clients calling the Service directly) are still served, under their own address.
 */
function proxyProtocol(): JsonObject {
    return {
        name: "envoy.filters.listener.proxy_protocol",
        typed_config: typed("envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol", {
            stat_prefix: "nlb",
            allow_requests_without_proxy_protocol: true,
            disallowed_versions: ["V1"],
        }),
    };
}

export function apiListener(gateway: GatewayConfig): JsonObject {
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
        // A header with '_' could be read as its '-' twin upstream (Python servers fold them): refuse the request.
        common_http_protocol_options: { idle_timeout: seconds(gatewayTimeouts.downstreamIdleSeconds), headers_with_underscores_action: "REJECT_REQUEST" },
        http2_protocol_options: { max_concurrent_streams: 100, initial_stream_window_size: 65536, initial_connection_window_size: 1048576 },
        rds: { config_source: fileSource(envoyFiles.routes), route_config_name: routeNames.table },
        http_filters: httpFilters(gateway.maxRequestBodyMiB),
        local_reply_config: localReplies(gateway.maxRequestBodyMiB),
        access_log: accessLog(),
        // Behind an NLB that ends TLS, the PROXY header's destination port tells whether the client used https.
        ...(gateway.certificateArn ? { forward_proto_config: { https_destination_ports: [443], http_destination_ports: [80] } } : {}),
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
        ...(gateway.serviceType === GatewayServiceType.LoadBalancer ? { listener_filters: [proxyProtocol()] } : {}),
        filter_chains: [filterChain],
    });
}

