import { GatewayConfig } from "../../config/types";
import { endpointsByTask, errorBodies, gatewayTimeouts, inferenceEndpoints, keyNameHeader, metadataNamespace, routeNames, clusterName, stoppedBody, keyNameOperator } from "./contract";
import { GatewayKey, GatewayRoute, modelsList } from "./input";
import { authnCredentials, scopeOf } from "./keys";
import { routesToBackend, scaleUpRequestHeaders } from "./scaleToZero";
import { directJson, Json, JsonObject, jsonBody, jsonContentType, seconds, typed } from "./json";

/** The route table (`rds.json`): one route per service, matched on the body's `model`, with the credentials once and each route's key scope. */

/** Envoy's default limit on a direct response body (RouteConfiguration.max_direct_response_body_size_bytes). */
const envoyDefaultDirectBodyBytes = 4096;

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

/** The largest inline body of the table, rounded up to KiB, and never below Envoy's default. */
function directBodyLimitBytes(routes: JsonObject[]): number {
    const sizes = routes.map((r) => {
        const body = (r.direct_response as { body?: { inline_string?: string } } | undefined)?.body?.inline_string;
        return body === undefined ? 0 : Buffer.byteLength(body);
    });
    return Math.max(envoyDefaultDirectBodyBytes, Math.ceil(Math.max(0, ...sizes) / 1024) * 1024);
}

export function routeTable(routes: GatewayRoute[], keys: GatewayKey[], gateway: GatewayConfig): JsonObject {
    const bodies = errorBodies(gateway.maxRequestBodyMiB);
    const inference = endpointRegex(inferenceEndpoints);

    const serviceRoutes = routes.map((r): JsonObject => {
        const match: JsonObject = { safe_regex: { regex: endpointRegex(endpointsByTask[r.task]) }, headers: [postOnly], dynamic_metadata: [modelIs(r.accessName)] };
        // The scope is checked on every service route, stopped ones included: a 503 tells that the model exists.
        const base: JsonObject = { name: routeNames.service(r.name), match, typed_per_filter_config: scopeOf(keys, r.name) };
        if (!routesToBackend(r)) {
            return { ...base, ...directJson(503, stoppedBody(r.accessName) as unknown as Json) };
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
        };
    });

    const virtualHost: JsonObject = {
        name: "api",
        domains: ["*"],
        routes: [
            {
                name: routeNames.models,
                match: { path: "/v1/models", headers: [{ name: ":method", string_match: { exact: "GET" } }] },
                ...directJson(200, modelsList(routes) as unknown as Json),
            },
            ...serviceRoutes,
            {
                name: routeNames.missingModel,
                match: { safe_regex: { regex: inference }, headers: [postOnly], dynamic_metadata: [modelErrorIs("missing")] },
                ...directJson(400, bodies["400-missing-model"] as unknown as Json),
            },
            {
                name: routeNames.invalidBody,
                match: { safe_regex: { regex: inference }, headers: [postOnly], dynamic_metadata: [modelErrorIs("invalid")] },
                ...directJson(400, bodies["400-invalid-body"] as unknown as Json),
            },
            {
                name: routeNames.unknownModel,
                match: { safe_regex: { regex: inference }, headers: [postOnly] },
                direct_response: { status: 404, body_format: jsonBody(bodies["404-model"]) },
                response_headers_to_add: [jsonContentType],
            },
            {
                name: routeNames.unknownEndpoint,
                match: { prefix: "/" },
                direct_response: { status: 404, body_format: jsonBody(bodies["404-endpoint"]) },
                response_headers_to_add: [jsonContentType],
            },
        ],
    };
    return typed("envoy.config.route.v3.RouteConfiguration", {
        name: routeNames.table,
        // Routes may name a cluster cds.json has not delivered yet (both files reload together): 503 for a moment, never a rejected table.
        validate_clusters: false,
        // `GET /v1/models` grows with the services (≈100 bytes each): past Envoy's 4 KiB default the table would be rejected.
        max_direct_response_body_size_bytes: directBodyLimitBytes(virtualHost.routes as JsonObject[]),
        virtual_hosts: [virtualHost],
        // Upstream, the key's name without its scope mark; a client's own value was removed before authentication.
        request_headers_to_add: [
            { header: { key: keyNameHeader, value: keyNameOperator }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" },
        ],
        // The credentials once for every route: api_key_auth takes each field it lacks per route from here.
        typed_per_filter_config: authnCredentials(keys),
    });
}

