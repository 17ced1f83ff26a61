import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gpuTaint, nodeGroupLabel, platformLabels, typeTokenPrefix } from "../conventions";
import { images } from "../versions";

export interface NvidiaDevicePluginArgs {
    /** Node groups whose nodes need the plugin (their AMI does not bring it). */
    nodeGroups: string[];
    /** Namespace of the DaemonSet. @default "kube-system" */
    namespace?: pulumi.Input<string>;
    /** Image override. @default the pinned device plugin image */
    image?: string;
}

/**
 * NVIDIA's device plugin DaemonSet, which advertises `nvidia.com/gpu` to the scheduler. It
 * runs only on the GPU nodes of the given node groups, tolerating their GPU taint.
 */
export class NvidiaDevicePlugin extends pulumi.ComponentResource {
    /** Name of the device plugin's DaemonSet. */
    public readonly daemonSetName: pulumi.Output<string>;

    constructor(name: string, args: NvidiaDevicePluginArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:NvidiaDevicePlugin`, name, {}, opts);
        const labels = {
            "app.kubernetes.io/name": "nvidia-device-plugin",
            ...platformLabels,
        };
        const daemonSet = new k8s.apps.v1.DaemonSet(
            `${name}-daemonset`,
            {
                metadata: { name: "nvidia-device-plugin", namespace: args.namespace ?? "kube-system", labels },
                spec: {
                    selector: { matchLabels: { "app.kubernetes.io/name": "nvidia-device-plugin" } },
                    updateStrategy: { type: "RollingUpdate" },
                    template: {
                        metadata: { labels },
                        spec: {
                            priorityClassName: "system-node-critical",
                            affinity: {
                                nodeAffinity: {
                                    requiredDuringSchedulingIgnoredDuringExecution: {
                                        nodeSelectorTerms: [{ matchExpressions: [{ key: nodeGroupLabel, operator: "In", values: [...args.nodeGroups].sort() }] }],
                                    },
                                },
                            },
                            tolerations: [{ key: gpuTaint.key, operator: "Exists", effect: gpuTaint.effect }],
                            containers: [
                                {
                                    name: "nvidia-device-plugin",
                                    image: args.image ?? images.nvidiaDevicePlugin,
                                    env: [{ name: "FAIL_ON_INIT_ERROR", value: "false" }],
                                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
                                    volumeMounts: [{ name: "device-plugin", mountPath: "/var/lib/kubelet/device-plugins" }],
                                },
                            ],
                            volumes: [{ name: "device-plugin", hostPath: { path: "/var/lib/kubelet/device-plugins" } }],
                        },
                    },
                },
            },
            { parent: this },
        );
        this.daemonSetName = daemonSet.metadata.name;
        this.registerOutputs({ daemonSetName: this.daemonSetName });
    }
}
