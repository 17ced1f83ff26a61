import { ResourceValidationPolicy } from "@pulumi/policy";
import { serviceIdLabel, serviceNameLabel } from "../components/conventions";
import { containers, describe, isVllmContainer, kubernetesObject, Labels, labelSelector, typeTokens, workload } from "./lib/kubernetes";
import { isUnknown, plain, record, UnknownValue } from "./lib/values";

/** Whether labels (or a selector's) name a model service: its service label, or the vLLM app name. */
function namesModelService(labels: Labels | UnknownValue | undefined): boolean {
    return labels !== undefined && !isUnknown(labels) && (labels[serviceNameLabel] !== undefined || labels["app.kubernetes.io/name"] === "vllm");
}

/** The labels a Service or PodDisruptionBudget selects pods by. */
function selectorLabels(type: string, selector: unknown): Labels | undefined {
    if (type === typeTokens.service) {
        return record(selector) as Labels | undefined;
    }
    if (type === typeTokens.podDisruptionBudget) {
        const s = labelSelector(selector);
        return s === undefined || isUnknown(s) ? undefined : s.matchLabels;
    }
    return undefined;
}

function hasServiceId(labels: Labels): boolean {
    const id = labels[serviceIdLabel];
    return typeof id === "string" && id !== "";
}

/**
 * Every object of a model service carries the service's ID label, which billing and the
 * services table count by: objects labelled with a service name, workloads that run vLLM
 * (and their pods), and Services and budgets that select a service's pods.
 */
export const k8sServiceIdLabel: ResourceValidationPolicy = {
    name: "k8s-service-id-label",
    description: `Every object of a model service (and every pod it runs) carries the ${serviceIdLabel} label.`,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const props = plain(args.props);
        const object = kubernetesObject(args.type, props, args.name);
        if (!object || isUnknown(object.labels)) {
            return;
        }
        const w = workload(args.type, props, args.name);
        const runsVllm = w !== undefined && !isUnknown(w.podSpec) && containers(w.podSpec).some(isVllmContainer);
        const selector = selectorLabels(args.type, record(props.spec)?.selector);
        const ofModelService = runsVllm || namesModelService(object.labels) || namesModelService(w?.podLabels) || namesModelService(selector);
        if (!ofModelService) {
            return;
        }
        if (!hasServiceId(object.labels)) {
            reportViolation(
                `${describe(object)} belongs to a model service but has no ${serviceIdLabel} label: set metadata.labels["${serviceIdLabel}"] to the service's ID (ModelService.serviceId), as on the service's other objects.`,
            );
        }
        if (w !== undefined && args.type !== typeTokens.pod && !isUnknown(w.podLabels) && !hasServiceId(w.podLabels)) {
            reportViolation(
                `The pods of ${describe(w)} carry no ${serviceIdLabel} label: add it to the pod template's metadata.labels (billing counts pods by it).`,
            );
        }
    },
};
