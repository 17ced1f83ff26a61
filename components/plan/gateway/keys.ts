import { allServicesClientPrefix, httpFilterNames, keyNameHeader, metadataNamespace, keyNameMetadataKey } from "./contract";
import { GatewayKey } from "./input";
import { JsonObject, typed } from "./json";

/**
 * Everything the gateway knows about keys, in sizes that grow with services + keys:
 * - the credentials, once, for the `api-key-authn` filter (key value → client name; a key
 *   in its rotation grace period has two values for one name);
 * - per service route, an RBAC policy for `api-key-scope` naming only the keys limited to
 *   some services, plus one prefix matcher that admits every all-services key;
 * - the per-key token buckets, as the one TypedExtensionConfig of `ecds-ratelimit.json`.
 */

const keyDescriptor = "api_key";
/** The default bucket, for requests no key descriptor matches (none after authentication). */
const unlimitedPerSecond = 1_000_000;

function allServices(key: GatewayKey): boolean {
    return key.services.includes("*");
}

/** The client name api_key_auth forwards: the key name, marked when the key may call every service. */
export function clientName(key: GatewayKey): string {
    return allServices(key) ? `${allServicesClientPrefix}${key.name}` : key.name;
}

/** api_key_auth credentials: every current value, then every previous value still in its grace period. */
export function credentials(keys: GatewayKey[]): JsonObject[] {
    const current = keys.map((k) => ({ key: k.value, client: clientName(k) }));
    const previous = keys.filter((k) => k.previousValue !== undefined).map((k) => ({ key: k.previousValue as string, client: clientName(k) }));
    return [...current, ...previous];
}

/** The `api-key-authn` filter's config: where the key is read, and the client name forwarded in its place. */
export function authnConfig(): JsonObject {
    return { key_sources: [{ header: "authorization" }], forwarding: { header: keyNameHeader, hide_credentials: true } };
}

/** Credentials for the whole route table: one copy, which every route inherits field by field. */
export function authnCredentials(keys: GatewayKey[]): JsonObject {
    return { [httpFilterNames.apiKeyAuthn]: typed("envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuthPerRoute", { credentials: credentials(keys) }) };
}

function principalIs(client: string): JsonObject {
    return { header: { name: keyNameHeader, string_match: { exact: client } } };
}

/**
 * `api-key-scope` of a service's route: keys listing the service by name, and any
 * all-services key. An ALLOW rule set without policies denies every key (a service no key
 * may call).
 */
export function scopeOf(keys: GatewayKey[], serviceName: string): JsonObject {
    const named = keys.filter((k) => !allServices(k) && k.services.includes(serviceName)).map((k) => principalIs(k.name));
    const anyAllServices = keys.some(allServices) ? [{ header: { name: keyNameHeader, string_match: { prefix: allServicesClientPrefix } } }] : [];
    const principals = [...named, ...anyAllServices];
    const rules: JsonObject = principals.length > 0 ? { action: "ALLOW", policies: { "allowed-keys": { permissions: [{ any: true }], principals } } } : { action: "ALLOW" };
    return { [httpFilterNames.apiKeyScope]: typed("envoy.extensions.filters.http.rbac.v3.RBACPerRoute", { rbac: { rules } }) };
}

/**
 * The `key-name` filter: the forwarded client name, without the all-services mark, into
 * `model-services:key_name`, which the access log, the 429 body and the upstream header use.
 */
export function keyNameConfig(): JsonObject {
    return {
        request_rules: [
            {
                header: keyNameHeader,
                on_header_present: {
                    metadata_namespace: metadataNamespace,
                    key: keyNameMetadataKey,
                    regex_value_rewrite: { pattern: { regex: `^${allServicesClientPrefix.replace("*", "\\*")}` }, substitution: "" },
                },
            },
        ],
    };
}

/**
 * The per-key token buckets (`ecds-ratelimit.json`): one bucket per key of its
 * `requestsPerMinute`, refilled every 60 s, per gateway pod, shared by every service. In its
 * own file so that only a limit change rebuilds (and so refills) the buckets: Envoy rebuilds
 * route-level limiters on every route table change, and keys and services live there.
 */
export function rateLimitExtension(keys: GatewayKey[]): JsonObject {
    const limited = keys.filter((k) => k.requestsPerMinute !== undefined);
    return typed("envoy.config.core.v3.TypedExtensionConfig", {
        name: httpFilterNames.localRateLimit,
        typed_config: typed("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", {
            stat_prefix: "api_key_rate_limit",
            token_bucket: { max_tokens: unlimitedPerSecond, tokens_per_fill: unlimitedPerSecond, fill_interval: "1s" },
            filter_enabled: { default_value: { numerator: 100, denominator: "HUNDRED" }, runtime_key: "model_services.rate_limit.enabled" },
            filter_enforced: { default_value: { numerator: 100, denominator: "HUNDRED" }, runtime_key: "model_services.rate_limit.enforced" },
            rate_limits: [{ actions: [{ request_headers: { header_name: keyNameHeader, descriptor_key: keyDescriptor } }] }],
            descriptors: limited.map((k) => ({
                entries: [{ key: keyDescriptor, value: clientName(k) }],
                token_bucket: { max_tokens: k.requestsPerMinute as number, tokens_per_fill: k.requestsPerMinute as number, fill_interval: "60s" },
            })),
            always_consume_default_token_bucket: false,
            enable_x_ratelimit_headers: "DRAFT_VERSION_03",
            enable_retry_after_header: true,
        }),
    });
}
