import { gatewayPaths, OpenAiError } from "./contract";

/** Small builders for Envoy's JSON config, shared by the renderers. */

export const MiB = 1024 * 1024;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function typed(type: string, body: JsonObject): JsonObject {
    return { "@type": `type.googleapis.com/${type}`, ...body };
}

export function seconds(s: number): string {
    return `${s}s`;
}

export function socketAddress(address: string, port: number): JsonObject {
    return { socket_address: { address, port_value: port } };
}

export function fileSource(fileName: string): JsonObject {
    return {
        path_config_source: { path: `${gatewayPaths.config}/${fileName}`, watched_directory: { path: gatewayPaths.config } },
        resource_api_version: "V3",
    };
}

export const jsonContentType: JsonObject = { header: { key: "content-type", value: "application/json" }, append_action: "OVERWRITE_IF_EXISTS_OR_ADD" };

/** A route answering with a fixed JSON body. */
export function directJson(status: number, body: Json): JsonObject {
    return { direct_response: { status, body: { inline_string: JSON.stringify(body) } }, response_headers_to_add: [jsonContentType] };
}

export function statusIs(status: number): JsonObject {
    return { status_code_filter: { comparison: { op: "EQ", value: { default_value: status, runtime_key: `model_services.local_reply.${status}` } } } };
}

export function jsonBody(body: OpenAiError): JsonObject {
    return { json_format: body as unknown as JsonObject, content_type: "application/json" };
}


/** Byte order of strings, for sorting independent of locale. */
export function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
