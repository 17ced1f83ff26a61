import { GatewayConfig } from "../../config/types";
import { endpointsByTask, errorBodies, gatewayTimeouts, httpFilterNames, inferenceEndpoints, keyNameHeader, metadataNamespace, routeNames, clusterName, stoppedBody } from "./contract";
import { allowedKeyNames, GatewayKey, GatewayRoute, modelsList } from "./input";
import { routesToBackend, scaleUpRequestHeaders } from "./scaleToZero";
import { directJson, Json, JsonObject, jsonBody, jsonContentType, seconds, typed } from "./json";

/** The route table (`rds.json`): one route per service, matched on the body's `model`, with the credentials, each route's allowed keys and the per-key rate limits. */

const keyDescriptor = "api_key";
/** A default bucket no caller reaches: keys without a limit are not limited. */
const unlimitedPerSecond = 1_000_000;

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

export function routeTable(routes: GatewayRoute[], keys: GatewayKey[], gateway: GatewayConfig): JsonObject {
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
        if (!routesToBackend(r)) {
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
            ...scaleUpRequestHeaders(r),
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

