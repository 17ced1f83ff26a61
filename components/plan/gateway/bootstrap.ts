import { envoyFiles, gatewayHeapFraction, gatewayMemoryLimitMiB, gatewayPaths, gatewayPorts, httpFilterNames } from "./contract";
import { fileSource, JsonObject, MiB, socketAddress, typed } from "./json";

/** The static bootstrap (`envoy.json`): admin on loopback, the readiness and metrics listeners, file-based LDS/CDS, the overload manager. */

const adminCluster = "envoy-admin";
const fixedHeap = "envoy.resource_monitors.fixed_heap";
/** The heap the overload manager measures against: below the container limit, which also covers non-heap memory. */
export const gatewayHeapBytes = Math.floor(gatewayMemoryLimitMiB * gatewayHeapFraction) * MiB;

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

export function bootstrap(): JsonObject {
    return {
        node: { id: "model-gateway", cluster: "model-gateway" },
        admin: {
            address: socketAddress("127.0.0.1", gatewayPorts.admin),
            // Only what the probe (/ready) and Prometheus (/stats/prometheus) read: the rest prints the config (and so the
            // keys), or changes the log level (debug logs print request headers, Authorization included) or drains listeners.
            allow_paths: [{ exact: gatewayPaths.readiness }, { prefix: "/stats" }],
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
            // Per-stream memory accounts, so reset_high_memory_stream can find the streams holding the most buffer.
            buffer_factory_config: { minimum_account_to_track_power_of_two: 20 },
            resource_monitors: [
                {
                    name: fixedHeap,
                    typed_config: typed("envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig", { max_heap_size_bytes: String(gatewayHeapBytes) }),
                },
                {
                    name: "envoy.resource_monitors.global_downstream_max_connections",
                    typed_config: typed("envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig", { max_active_downstream_connections: "50000" }),
                },
            ],
            actions: [
                // From 85 % of the heap, streams buffering the most (≥ 1 MiB) are reset, more of them as the heap fills (HTTP/2 downstreams only).
                { name: "envoy.overload_actions.reset_high_memory_stream", triggers: [{ name: fixedHeap, scaled: { scaling_threshold: 0.85, saturation_threshold: 0.95 } }] },
                { name: "envoy.overload_actions.disable_http_keepalive", triggers: [{ name: fixedHeap, threshold: { value: 0.92 } }] },
                { name: "envoy.overload_actions.stop_accepting_requests", triggers: [{ name: fixedHeap, threshold: { value: 0.95 } }] },
            ],
        },
    };
}
