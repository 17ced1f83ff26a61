import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsSdk } from "./awsSdk";
import { partOfTag, platformLabels, typeTokenPrefix } from "../conventions";
import { images } from "../versions";

export interface ClusterAutoscalerArgs {
    /** Name of the EKS cluster whose managed node groups it scales. */
    clusterName: pulumi.Input<string>;
    /** AWS region of the cluster. */
    region: pulumi.Input<string>;
    /** Install the EKS Pod Identity Agent add-on (skip it when the cluster already has it). @default true */
    podIdentityAgent?: boolean;
    /** Minutes a node must stay unneeded before it is removed. @default 10 */
    scaleDownUnneededMinutes?: number;
    /** Image override. @default the pinned Cluster Autoscaler */
    image?: string;
}

/** Service account (in kube-system) the autoscaler runs as; EKS Pod Identity maps it to its IAM role. */
export const clusterAutoscalerServiceAccount = "cluster-autoscaler";

/**
 * What Cluster Autoscaler may do in AWS: read the Auto Scaling groups, launch templates,
 * instance types and managed node groups (labels and taints for scale-from-zero templates),
 * and resize or shrink only groups tagged as this cluster's.
 */
export function clusterAutoscalerPolicy(clusterName: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
            {
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    });
}

/** The autoscaler's command line: auto-discovery of the cluster's managed node groups and the scale-down settings. */
export function clusterAutoscalerArgs(clusterName: string, scaleDownUnneededMinutes: number): string[] {
    return [
        "--cloud-provider=aws",
        // EKS tags every managed node group's Auto Scaling group with both tags.
        `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${clusterName}`,
        // GPU nodes are expensive: add the group that wastes fewest GPUs, and keep sizes of twin groups level.
        "--expander=least-waste",
        "--balance-similar-node-groups",
        "--skip-nodes-with-system-pods=false",
        `--scale-down-unneeded-time=${scaleDownUnneededMinutes}m`,
        `--scale-down-delay-after-add=${scaleDownUnneededMinutes}m`,
        // A GPU node that has not joined within 15 minutes is given up on and another is tried.
        "--max-node-provision-time=15m",
        "--stderrthreshold=info",
        "--v=2",
    ];
}

/**
 * Kubernetes' Cluster Autoscaler on EKS: adds GPU nodes to a managed node group when pods are
 * Pending for want of one, removes nodes that stay unneeded, within each group's min and max.
 * IAM through EKS Pod Identity (a role trusted by `pods.eks.amazonaws.com`, associated with
 * its service account), no node-role permissions and no OIDC provider.
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    /** ARN of the IAM role the autoscaler's pods assume. */
    public readonly roleArn: pulumi.Output<string>;
    /** Name of its Deployment in kube-system. */
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:ClusterAutoscaler`, name, {}, opts);
        const child = { parent: this };
        const aws = awsSdk();
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
                }),
                tags: { ...partOfTag },
            },
            child,
        );
        new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: pulumi.output(args.clusterName).apply(clusterAutoscalerPolicy) }, child);
        const agent =
            args.podIdentityAgent ?? true ? [new aws.eks.Addon(`${name}-pod-identity-agent`, { clusterName: args.clusterName, addonName: "eks-pod-identity-agent", tags: { ...partOfTag } }, child)] : [];
        new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            { clusterName: args.clusterName, namespace: "kube-system", serviceAccount: clusterAutoscalerServiceAccount, roleArn: role.arn, tags: { ...partOfTag } },
            { parent: this, dependsOn: agent },
        );

        const labels = { "app.kubernetes.io/name": "cluster-autoscaler", ...platformLabels };
        const metadata = { name: clusterAutoscalerServiceAccount, namespace: "kube-system", labels };
        // Kubernetes children inherit the provider the component was given.
        const k8sChild = child;
        new k8s.core.v1.ServiceAccount(`${name}-serviceaccount`, { metadata }, k8sChild);
        // Cluster Autoscaler's documented RBAC: it reads what scheduling depends on, evicts pods and cordons nodes.
        new k8s.rbac.v1.ClusterRole(
            `${name}-clusterrole`,
            {
                metadata: { name: "cluster-autoscaler", labels },
                rules: [
                    { apiGroups: [""], resources: ["events", "endpoints"], verbs: ["create", "patch"] },
                    { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
                    { apiGroups: [""], resources: ["pods/status"], verbs: ["update"] },
                    { apiGroups: [""], resources: ["endpoints"], resourceNames: ["cluster-autoscaler"], verbs: ["get", "update"] },
                    { apiGroups: [""], resources: ["nodes"], verbs: ["watch", "list", "get", "update"] },
                    { apiGroups: [""], resources: ["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes"], verbs: ["watch", "list", "get"] },
                    { apiGroups: ["extensions"], resources: ["replicasets", "daemonsets"], verbs: ["watch", "list", "get"] },
                    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["watch", "list"] },
                    { apiGroups: ["apps"], resources: ["statefulsets", "replicasets", "daemonsets"], verbs: ["watch", "list", "get"] },
                    { apiGroups: ["storage.k8s.io"], resources: ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"], verbs: ["watch", "list", "get"] },
                    { apiGroups: ["batch", "extensions"], resources: ["jobs"], verbs: ["get", "list", "watch", "patch"] },
                    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
                    { apiGroups: ["coordination.k8s.io"], resourceNames: ["cluster-autoscaler"], resources: ["leases"], verbs: ["get", "update"] },
                    { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch", "get", "update", "delete"] },
                    { apiGroups: ["resource.k8s.io"], resources: ["resourceclaims", "resourceslices", "deviceclasses"], verbs: ["get", "list", "watch"] },
                ],
            },
            k8sChild,
        );
        new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-clusterrolebinding`,
            {
                metadata: { name: "cluster-autoscaler", labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-autoscaler" },
                subjects: [{ kind: "ServiceAccount", name: clusterAutoscalerServiceAccount, namespace: "kube-system" }],
            },
            k8sChild,
        );
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata,
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { "app.kubernetes.io/name": "cluster-autoscaler" } },
                    template: {
                        metadata: { labels },
                        spec: {
                            serviceAccountName: clusterAutoscalerServiceAccount,
                            priorityClassName: "system-cluster-critical",
                            securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [
                                {
                                    name: "cluster-autoscaler",
                                    image: args.image ?? images.clusterAutoscaler,
                                    command: ["./cluster-autoscaler"],
                                    args: pulumi.output(args.clusterName).apply((c) => clusterAutoscalerArgs(c, args.scaleDownUnneededMinutes ?? 10)),
                                    env: [{ name: "AWS_REGION", value: args.region }],
                                    resources: { requests: { cpu: "100m", memory: "600Mi" }, limits: { cpu: "100m", memory: "600Mi" } },
                                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                },
                            ],
                        },
                    },
                },
            },
            k8sChild,
        );
        this.roleArn = role.arn;
        this.deploymentName = deployment.metadata.name;
        this.registerOutputs({ roleArn: this.roleArn, deploymentName: this.deploymentName });
    }
}
