import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AutoscaleMetric, defaultAutoscaleTargets, defaults } from "../config/rules";
import { serviceLabels, serviceObjectName, typeTokenPrefix } from "../conventions";
import { scaledObjectSpec } from "../plan/scaledObject";

export interface ServiceAutoscalerArgs {
    /** Namespace of the service. */
    namespace: pulumi.Input<string>;
    /** Service name: scales the Deployment `vllm-<name>`. */
    name: string;
    /** vLLM's served model name (`<owner>/<name>`), the `model_name` label of its metrics. */
    accessName: string;
    /** The service's ID (`ModelService.serviceId`), labelled on the ScaledObject like on the service's other objects. */
    serviceId: pulumi.Input<string>;
    /** Fewest instances; 0 lets the service scale to zero, woken by the gateway's demand. */
    min: number;
    /** Most instances. */
    max: number;
    /** The vLLM signal to scale on. @default "queue" */
    metric?: AutoscaleMetric;
    /** The value one instance should carry. @default 5 waiting requests, 0.8 KV-cache usage or 2 s TTFT */
    target?: number;
    /** Seconds of low load before instances are removed. @default 600 */
    scaleDownDelaySeconds?: number;
    /** Prometheus that scrapes vLLM and the gateway. */
    prometheusUrl: string;
}

/**
 * A KEDA ScaledObject that scales a model service's Deployment on vLLM's own load signals,
 * and from zero on the gateway's demand. The Deployment must leave `spec.replicas` to it
 * (`ModelService`'s `autoscaled`), or Pulumi and the HPA fight over the field.
 */
export class ServiceAutoscaler extends pulumi.ComponentResource {
    /** Name of the ScaledObject (and of the HPA KEDA makes for it). */
    public readonly scaledObjectName: pulumi.Output<string>;

    constructor(name: string, args: ServiceAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:ServiceAutoscaler`, name, {}, opts);
        const metric = args.metric ?? defaults.autoscaleMetric;
        const scaledObject = new k8s.apiextensions.CustomResource(
            `${name}-scaledobject`,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: {
                    name: serviceObjectName(args.name),
                    namespace: args.namespace,
                    labels: pulumi.output(args.serviceId).apply((serviceId) => serviceLabels(args.name, serviceId)),
                },
                spec: pulumi.output(args.namespace).apply((namespace) =>
                    scaledObjectSpec({
                        namespace,
                        serviceName: args.name,
                        accessName: args.accessName,
                        prometheusUrl: args.prometheusUrl,
                        autoscale: {
                            min: args.min,
                            max: args.max,
                            metric,
                            target: args.target ?? defaultAutoscaleTargets[metric],
                            scaleDownDelaySeconds: args.scaleDownDelaySeconds ?? defaults.scaleDownDelaySeconds,
                        },
                    }),
                ),
            },
            { parent: this },
        );
        this.scaledObjectName = scaledObject.metadata.name;
        this.registerOutputs({ scaledObjectName: this.scaledObjectName });
    }
}
