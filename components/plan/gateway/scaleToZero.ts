import { metadataNamespace, OpenAiError } from "./contract";
import { GatewayRoute } from "./input";
import { JsonObject, jsonBody, statusIs } from "./json";

/**
 * Scale to zero at the gateway. A service that autoscales with `min: 0` keeps its route and
 * upstream cluster while it has no pod: its ClusterIP Service then has no endpoint, so the
 * connection is refused and Envoy answers its own 503 with an upstream-failure flag (UF,
 * URX; UH/NC where no host exists). The route marks the request with the service's
 * start-time estimate in a request header, and one local-reply mapper turns exactly those
 * 503s into OpenAI's shape with code `model_scaling_up` and `Retry-After`. The failed
 * attempt is counted in the cluster's `upstream_rq_pending_failure_eject`, which the
 * service's ScaledObject reads from Prometheus as its activation signal.
 */

/** Request header a scale-to-zero route sets to its start-time estimate, in seconds; removed from clients' requests first. */
export const scaleUpHeader = "x-model-services-scale-up-seconds";

/** Upstream flags of the 503 Envoy answers when a service has no instance to connect to. */
export const noInstanceFlags = ["UH", "UF", "URX", "NC"];

/** The 503 a request for a scaled-to-zero service gets while an instance starts. */
export function scalingUpBody(): OpenAiError {
    const model = `%DYNAMIC_METADATA(${metadataNamespace}:model):200%`;
    return {
        error: {
            message: `The model '${model}' is scaled to zero and is starting for this request. Retry after the number of seconds in the Retry-After header.`,
            type: "server_error",
            code: "model_scaling_up",
        },
    };
}

/** The local-reply mapper for scaled-to-zero services; it must come before the generic 503 mapper. */
export function scalingUpMapper(): JsonObject {
    return {
        filter: { and_filter: { filters: [statusIs(503), { response_flag_filter: { flags: noInstanceFlags } }, { header_filter: { header: { name: scaleUpHeader, present_match: true } } }] } },
        headers_to_add: [{ header: { key: "retry-after", value: `%REQ(${scaleUpHeader})%` }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }],
        body_format_override: jsonBody(scalingUpBody()),
    };
}

/** The route's part: the header carrying the start-time estimate, for services that may be at zero. */
export function scaleUpRequestHeaders(r: GatewayRoute): JsonObject {
    return r.scaleUpSeconds === undefined
        ? {}
        : { request_headers_to_add: [{ header: { key: scaleUpHeader, value: String(r.scaleUpSeconds) }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" }] };
}

/** Whether the gateway proxies to a service: it runs, or it may be scaled to zero and starts on demand. */
export function routesToBackend(r: GatewayRoute): boolean {
    return r.instances > 0 || r.scaleUpSeconds !== undefined;
}
