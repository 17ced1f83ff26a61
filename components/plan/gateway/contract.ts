import { ServiceTask } from "../../config/rules";

/**
 * The gateway's contract: ports, paths, file and route names, timeouts, the endpoints each
 * task serves and the OpenAI-shaped errors it answers with. The renderers, the
 * `ApiGateway` component, the policies and the tests read these.
 */

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
    /** The per-key rate limits (an ECDS file): only a limit change rebuilds the buckets. */
    rateLimits: "ecds-ratelimit.json",
} as const;

/**
 * The Kubernetes Secrets the files are split across, each under the 1 MiB Secret limit at
 * 500 services × 500 keys: the clusters (≈1 KB per service) apart from the rest. One
 * projected volume mounts both into one directory, swapped in one rename.
 */
export const envoySecretFiles = {
    config: [envoyFiles.bootstrap, envoyFiles.listeners, envoyFiles.routes, envoyFiles.rateLimits, envoyFiles.tlsSecret],
    clusters: [envoyFiles.clusters],
} as const;

/** Name of the SDS secret holding the API listener's certificate (`sds.json`). */
export const tlsSecretName = "api-tls";

/** Request header carrying the caller's key name upstream (set by the gateway, never trusted from clients). */
export const keyNameHeader = "x-model-services-key-name";

/** Dynamic-metadata namespace the body's `model` is written to. */
export const metadataNamespace = "model-services";

/** Dynamic-metadata key holding the caller's key name (without the all-services mark). */
export const keyNameMetadataKey = "key_name";

/** The Envoy substitution of the caller's key name: the access log, the 429 body and the upstream header use it. */
export const keyNameOperator = `%DYNAMIC_METADATA(${metadataNamespace}:${keyNameMetadataKey})%`;

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
/**
 * Share of the container limit the overload manager counts as Envoy's heap: `fixed_heap`
 * counts tcmalloc's heap only, and the binary, thread stacks and page cache need the rest.
 */
export const gatewayHeapFraction = 0.8;

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

/**
 * The API listener's HTTP filters, in chain order. Per-route config is looked up by these
 * names, so the two api_key_auth/RBAC roles get names of their own.
 */
export const httpFilterNames = {
    headerMutation: "envoy.filters.http.header_mutation",
    /** api_key_auth: the key must be known (401) before any byte of the body is buffered. */
    apiKeyAuthn: "api-key-authn",
    /** The caller's key name, without its scope mark, into dynamic metadata (logs, 429 body, upstream header). */
    keyName: "key-name",
    /** Per-key token buckets, from their own ECDS file. */
    localRateLimit: "envoy.filters.http.local_ratelimit",
    buffer: "envoy.filters.http.buffer",
    jsonToMetadata: "envoy.filters.http.json_to_metadata",
    /** RBAC: the key's scope against the route the body's model chose (403). */
    apiKeyScope: "api-key-scope",
    router: "envoy.filters.http.router",
} as const;

/**
 * Client name of a key allowed every service (`services: ["*"]`) in the credentials: the
 * mark lets one RBAC matcher per route admit all such keys instead of listing them. Key
 * names are RFC 1123 labels, so no name starts with it; the logs and the upstream header
 * carry the name without it.
 */
export const allServicesClientPrefix = "*:";

/**
 * Request headers vLLM acts on that only the platform may set: the data-parallel rank
 * (vLLM routes the request to that engine) and W3C trace context (vLLM continues the
 * caller's trace when tracing is on). The gateway removes them from client requests.
 */
export const strippedRequestHeaders = ["x-data-parallel-rank", "traceparent", "tracestate"] as const;

/** An OpenAI-shaped error, as clients' SDKs parse it into their error classes. */
export interface OpenAiError {
    error: { message: string; type: string; code: string };
}


function openAiError(message: string, type: string, code: string): OpenAiError {
    return { error: { message, type, code } };
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
        "429": openAiError(`Rate limit reached for the API key '${keyNameOperator}'. Retry after the number of seconds in the Retry-After header.`, "requests", "rate_limit_exceeded"),
        "503-overloaded": openAiError("The gateway is overloaded. Retry shortly.", "server_error", "overloaded"),
        "503-unavailable": openAiError(`The model '${model}' has no instance ready to take the request. Retry shortly.`, "server_error", "model_unavailable"),
    };
}

/** The 503 of a stopped service: fixed text, since the model is known when rendering. */
export function stoppedBody(accessName: string): OpenAiError {
    return openAiError(`The model '${accessName}' is stopped (0 instances). Set its instances to 1 or more in the stack config to start it.`, "server_error", "model_stopped");
}

