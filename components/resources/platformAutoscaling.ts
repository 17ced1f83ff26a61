import * as pulumi from "@pulumi/pulumi";
import { KedaMode } from "../config/rules";
import { PlatformPlan } from "../plan/types";
import { ClusterAutoscaler } from "./clusterAutoscaler";
import { Keda } from "./keda";
import { ModelService } from "./modelService";
import { PlatformMonitoring } from "./platformMonitoring";
import { ServiceAutoscaler } from "./serviceAutoscaler";

/** What `addAutoscaling` builds on: the plan and what `ModelPlatform` already created. */
export interface PlatformAutoscalingInputs {
    plan: PlatformPlan;
    /** The ModelService of each service by name (adapter services have none: they run in their base's pods). */
    modelServices: ReadonlyMap<string, ModelService>;
    namespace: pulumi.Output<string>;
    /** The EKS cluster's name; undefined on kubeconfig clusters (nodes are the cluster's own business there). */
    eksClusterName?: pulumi.Output<string>;
}

/**
 * The elastic part of `ModelPlatform`, children of it: KEDA (when the platform installs it),
 * a ServiceAutoscaler per autoscaled service, Cluster Autoscaler on EKS when a node group
 * hosts autoscaled services, and the monitoring objects the config asks for.
 */
export function addAutoscaling(parent: pulumi.ComponentResource, name: string, inputs: PlatformAutoscalingInputs, k8sOpts: pulumi.CustomResourceOptions): void {
    const { plan } = inputs;
    const autoscaled = plan.services.filter((service) => service.autoscale).map((service) => ({ service, modelService: inputs.modelServices.get(service.name)! }));
    const prometheusUrl = plan.autoscaling.prometheusUrl;
    if (autoscaled.length > 0 && prometheusUrl === undefined) {
        throw new pulumi.ResourceError(`service "${autoscaled[0].service.name}" autoscales, but plan.autoscaling.prometheusUrl names no Prometheus for KEDA to query`, parent);
    }
    const keda = autoscaled.length > 0 && plan.autoscaling.keda === KedaMode.Install ? new Keda(`${name}-keda`, {}, k8sOpts) : undefined;
    for (const { service, modelService } of autoscaled) {
        const a = service.autoscale!;
        new ServiceAutoscaler(
            `${name}-${service.name}-autoscaler`,
            {
                namespace: inputs.namespace,
                name: service.name,
                accessName: service.accessName,
                serviceId: modelService.serviceId,
                min: a.min,
                max: a.max,
                metric: a.metric,
                target: a.target,
                scaleDownDelaySeconds: a.scaleDownDelaySeconds,
                prometheusUrl: prometheusUrl!,
            },
            { ...k8sOpts, dependsOn: keda ? [keda, modelService] : [modelService] },
        );
    }
    if (autoscaled.length > 0 && inputs.eksClusterName && plan.cluster.kind === "eks") {
        new ClusterAutoscaler(`${name}-cluster-autoscaler`, { clusterName: inputs.eksClusterName, region: plan.cluster.region, podIdentityAgent: plan.cluster.create }, k8sOpts);
    }
    if (plan.monitoring.prometheusOperator || plan.monitoring.grafanaDashboard) {
        new PlatformMonitoring(
            `${name}-monitoring`,
            { namespace: inputs.namespace, podMonitors: plan.monitoring.prometheusOperator, grafanaDashboard: plan.monitoring.grafanaDashboard },
            k8sOpts,
        );
    }
}
