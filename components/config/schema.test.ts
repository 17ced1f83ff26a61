import { beforeEach, describe, expect, it } from "vitest";
import { type Accepted, eksStack, expectAccepted, expectRefusals, freshParseConfig, kubeconfigStack, type Refusal } from "../../test/helpers/freshConfig";

/**
 * Every leaf of the config schema refuses a bad value with its own message (what was expected,
 * the value, the fix) and accepts the values at its edges. The schema is a module constant,
 * so each test imports the config layer afresh (test/helpers/freshConfig.ts). Services, their
 * adapters, autoscaling and model facts: schema.services.test.ts.
 */
let parse: Awaited<ReturnType<typeof freshParseConfig>>;

beforeEach(async () => {
    parse = await freshParseConfig();
});

describe("config schema: a leaf's message", () => {
    it("is split into what was expected and the fix; a message without a fix stays whole", async () => {
        const { leafMessage, splitLeafMessage } = await import("./schema");
        expect(splitLeafMessage(leafMessage("a port", "use 1–65535"))).toEqual({ expected: "a port", fix: "use 1–65535" });
        expect(splitLeafMessage("Invalid input")).toEqual({ expected: "Invalid input" });
        expect(splitLeafMessage(leafMessage("", "a fix alone"))).toEqual({ expected: "", fix: "a fix alone" });
    });
});

describe("config schema: each leaf's message", () => {
    it("kubeconfig cluster", () => expectRefusals(parse, kubeconfigStack, kubeconfigClusterRefusals));
    it("EKS cluster: name, version, subnets, region", () => {
        expectRefusals(parse, eksStack, eksClusterRefusals);
        expectAccepted(parse, eksStack, eksClusterAccepted);
    });
    it("node groups and their model cache", () => {
        expectRefusals(parse, kubeconfigStack, nodeGroupsRefusals);
        expectAccepted(parse, kubeconfigStack, nodeGroupsAccepted);
    });
    it("API keys", () => expectRefusals(parse, kubeconfigStack, apiKeysRefusals));
    it("gateway", () => expectRefusals(parse, kubeconfigStack, gatewayRefusals));
    it("owner, namespace, key store, metrics scraper, autoscaling, monitoring, model access, playground, token", () => {
        expectRefusals(parse, kubeconfigStack, topLevelRefusals);
        expectAccepted(parse, kubeconfigStack, topLevelAccepted);
    });
});

const kubeconfigClusterRefusals: Refusal[] = [
    ["cluster.kind", "gke", "cluster.kind: expected a mapping with kind \"eks\" or \"kubeconfig\", got \"gke\". Set cluster.kind to eks (Amazon EKS) or kubeconfig (an existing cluster)."],
    ["cluster", "x", "cluster: expected a mapping with kind \"eks\" or \"kubeconfig\", got \"x\". Set cluster.kind to eks (Amazon EKS) or kubeconfig (an existing cluster)."],
    ["cluster.context", "", "cluster.context: expected a kubeconfig context name, got \"\". Run `kubectl config get-contexts` to list them."],
    ["cluster.context", 5, "cluster.context: expected a kubeconfig context name, got 5. Run `kubectl config get-contexts` to list them."],
    ["cluster.kubeconfig", "", "cluster.kubeconfig: expected a path to a kubeconfig file, got \"\". Give the file's path, or leave it out to use $KUBECONFIG."],
    ["cluster.nvidiaDevicePlugin", "yes", "cluster.nvidiaDevicePlugin: expected true or false, got \"yes\". True deploys NVIDIA's device plugin; leave it false when the cluster already has it (GPU Operator)."],
    ["cluster.simulated", "yes", "cluster.simulated: expected true or false, got \"yes\". True on a KWOK cluster: the stack creates the node groups' nodes itself."],
    ["cluster.extra", 1, "cluster.extra: is not a known key. Known keys here: kind, context, kubeconfig, nvidiaDevicePlugin, simulated."],
];

const eksClusterRefusals: Refusal[] = [
    ["cluster.name", "Bad_Name", "cluster.name: expected an EKS cluster name (lowercase letters, digits and '-', ≤ 63), got \"Bad_Name\". Name the cluster, e.g. model-services."],
    ["cluster.name", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cluster.name: expected an EKS cluster name (lowercase letters, digits and '-', ≤ 63), got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.... Name the cluster, e.g. model-services."],
    ["cluster.name", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cluster.name: expected an EKS cluster name (lowercase letters, digits and '-', ≤ 63), got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\". Name the cluster, e.g. model-services."],
    ["cluster.name", 7, "cluster.name: expected an EKS cluster name (lowercase letters, digits and '-', ≤ 63), got 7. Name the cluster, e.g. model-services."],
    ["cluster.create", "yes", "cluster.create: expected true or false, got \"yes\". True creates the cluster; false uses an existing cluster of that name."],
    ["cluster.version", "1.3", "cluster.version: expected a Kubernetes minor version such as \"1.34\", got \"1.3\". Quote it in YAML so it stays a string."],
    ["cluster.version", "1.345", "cluster.version: expected a Kubernetes minor version such as \"1.34\", got \"1.345\". Quote it in YAML so it stays a string."],
    ["cluster.version", "v1.34", "cluster.version: expected a Kubernetes minor version such as \"1.34\", got \"v1.34\". Quote it in YAML so it stays a string."],
    ["cluster.version", 1.34, "cluster.version: expected a Kubernetes minor version such as \"1.34\", got 1.34. Quote it in YAML so it stays a string."],
    ["cluster.version", "x1.34", "cluster.version: expected a Kubernetes minor version such as \"1.34\", got \"x1.34\". Quote it in YAML so it stays a string."],
    ["cluster.subnetIds", "subnet-1", "cluster.subnetIds: expected a list of subnet ids, got \"subnet-1\". Write it as a YAML list (- item)."],
    ["cluster.subnetIds", ["subnet-1234567"], "cluster.subnetIds[0]: expected a subnet id (subnet-…), got \"subnet-1234567\". Copy the ids from the VPC console."],
    ["cluster.subnetIds", ["subnet-0123456789abcdef01"], "cluster.subnetIds[0]: expected a subnet id (subnet-…), got \"subnet-0123456789abcdef01\". Copy the ids from the VPC console."],
    ["cluster.subnetIds", ["subnet-0123456G"], "cluster.subnetIds[0]: expected a subnet id (subnet-…), got \"subnet-0123456G\". Copy the ids from the VPC console."],
    ["cluster.subnetIds", ["xsubnet-01234567"], "cluster.subnetIds[0]: expected a subnet id (subnet-…), got \"xsubnet-01234567\". Copy the ids from the VPC console."],
    ["cluster.subnetIds", ["subnet-01234567x"], "cluster.subnetIds[0]: expected a subnet id (subnet-…), got \"subnet-01234567x\". Copy the ids from the VPC console."],
    ["cluster.region", "US-east-1", "cluster.region: expected an AWS region such as us-east-1, got \"US-east-1\". Name the region the prices should come from."],
    ["cluster.region", "us-east", "cluster.region: expected an AWS region such as us-east-1, got \"us-east\". Name the region the prices should come from."],
    ["cluster.region", "useast-1", "cluster.region: expected an AWS region such as us-east-1, got \"useast-1\". Name the region the prices should come from."],
    ["cluster.region", "xus-east-1", "cluster.region: expected an AWS region such as us-east-1, got \"xus-east-1\". Name the region the prices should come from."],
    ["cluster.region", "us-east-12", "cluster.region: expected an AWS region such as us-east-1, got \"us-east-12\". Name the region the prices should come from."],
    ["cluster.region", "us--1", "cluster.region: expected an AWS region such as us-east-1, got \"us--1\". Name the region the prices should come from."],
];

const eksClusterAccepted: Accepted[] = [
    ["cluster.version", "1.35"],
    ["cluster.subnetIds", ["subnet-0123456789abcdef0", "subnet-01234567"]],
    ["cluster.region", "us-gov-west-1"],
    ["cluster.region", "ap-southeast-2"],
];

const nodeGroupsRefusals: Refusal[] = [
    ["nodeGroups[0].maxSize", "2", 'nodeGroups[0].maxSize: expected a whole number ≥ 1, got "2". Set the most nodes the group may grow to.'],
    ["nodeGroups", [], "nodeGroups: expected at least one node group, got []. Add a node group under nodeGroups."],
    ["nodeGroups", "x", "nodeGroups: expected a list of node groups, got \"x\". Write it as a YAML list (- item)."],
    ["nodeGroups[0]", "x", "nodeGroups[0]: expected a mapping of node group settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["nodeGroups[0].name", "GPU", "nodeGroups[0].name: expected a DNS-1123 label (lowercase letters, digits and '-', ≤ 63), got \"GPU\". Rename the node group, e.g. gpu-l40s."],
    ["nodeGroups[0].instanceType", "g6", "nodeGroups[0].instanceType: expected an EC2 instance type such as g6e.xlarge, got \"g6\". Pick a GPU or CPU instance type (see `npm run plan -- --catalog`)."],
    ["nodeGroups[0].instanceType", "G6.xlarge", "nodeGroups[0].instanceType: expected an EC2 instance type such as g6e.xlarge, got \"G6.xlarge\". Pick a GPU or CPU instance type (see `npm run plan -- --catalog`)."],
    ["nodeGroups[0].instanceType", "g6.xlargeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "nodeGroups[0].instanceType: expected an EC2 instance type such as g6e.xlarge, got \"g6.xlargeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\". Pick a GPU or CPU instance type (see `npm run plan -- --catalog`)."],
    ["nodeGroups[0].instanceType", "xg6.xlarge.", "nodeGroups[0].instanceType: expected an EC2 instance type such as g6e.xlarge, got \"xg6.xlarge.\". Pick a GPU or CPU instance type (see `npm run plan -- --catalog`)."],
    ["nodeGroups[0].instanceType", ".g6.xlarge", "nodeGroups[0].instanceType: expected an EC2 instance type such as g6e.xlarge, got \".g6.xlarge\". Pick a GPU or CPU instance type (see `npm run plan -- --catalog`)."],
    ["nodeGroups[0].family", "g6.", "nodeGroups[0].family: expected an EC2 instance family such as g6e, got \"g6.\". Name a GPU family, or set instanceType instead."],
    ["nodeGroups[0].family", "G6", "nodeGroups[0].family: expected an EC2 instance family such as g6e, got \"G6\". Name a GPU family, or set instanceType instead."],
    ["nodeGroups[0].family", "g6-e", "nodeGroups[0].family: does not match instanceType \"g6.xlarge\", got \"g6-e\". Remove family, or remove instanceType to let the planner pick a size of the family."],
    ["nodeGroups[0].minSize", -1, "nodeGroups[0].minSize: expected a whole number ≥ 0, got -1. Set the fewest nodes to keep (0 lets the group scale to zero)."],
    ["nodeGroups[0].minSize", 1.5, "nodeGroups[0].minSize: expected a whole number ≥ 0, got 1.5. Set the fewest nodes to keep (0 lets the group scale to zero)."],
    ["nodeGroups[0].maxSize", 0, "nodeGroups[0].maxSize: expected a whole number ≥ 1, got 0. Set the most nodes the group may grow to."],
    ["nodeGroups[0].capacityType", "spot", "nodeGroups[0].capacityType: expected one of \"ON_DEMAND\", \"SPOT\", got \"spot\". Use ON_DEMAND, or SPOT for interruptible capacity."],
    ["nodeGroups[0].diskSizeGiB", 19, "nodeGroups[0].diskSizeGiB: expected a whole number from 20 to 16384, got 19. Give the root volume size in GiB (images and model cache need room)."],
    ["nodeGroups[0].diskSizeGiB", 16385, "nodeGroups[0].diskSizeGiB: expected a whole number from 20 to 16384, got 16385. Give the root volume size in GiB (images and model cache need room)."],
    ["nodeGroups[0].amiType", "AL2", "nodeGroups[0].amiType: expected one of \"AL2023_x86_64_NVIDIA\", \"BOTTLEROCKET_x86_64_NVIDIA\", \"AL2023_x86_64_STANDARD\", got \"AL2\". Use an NVIDIA AMI type for GPU groups, AL2023_x86_64_STANDARD for CPU groups."],
    ["nodeGroups[0].modelCache", "x", "nodeGroups[0].modelCache: expected a mapping of model cache settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["nodeGroups[0].modelCache", { kind: "disk" }, "nodeGroups[0].modelCache.kind: expected one of \"emptyDir\", \"node-local\", \"shared\", got \"disk\". Pick emptyDir (per pod), node-local (instance-store NVMe) or shared (a ReadWriteMany volume)."],
    ["nodeGroups[0].modelCache", { kind: "emptyDir", sizeGiB: 0 }, "nodeGroups[0].modelCache.sizeGiB: expected a whole number from 1 to 65536, got 0. Give the cache size in GiB (room for every model it holds)."],
    ["nodeGroups[0].modelCache", { kind: "emptyDir", sizeGiB: 65537 }, "nodeGroups[0].modelCache.sizeGiB: expected a whole number from 1 to 65536, got 65537. Give the cache size in GiB (room for every model it holds)."],
    ["nodeGroups[0].modelCache", { kind: "node-local", hostPath: "relative/path" }, "nodeGroups[0].modelCache.hostPath: expected an absolute directory path on the node, got \"relative/path\". E.g. /mnt/k8s-disks/0/model-cache."],
    ["nodeGroups[0].modelCache", { kind: "node-local", hostPath: "/a\u0000b" }, "nodeGroups[0].modelCache.hostPath: expected an absolute directory path on the node, got \"/a\\u0000b\". E.g. /mnt/k8s-disks/0/model-cache."],
    ["nodeGroups[0].modelCache", { kind: "shared", storageClass: "EFS" }, "nodeGroups[0].modelCache.storageClass: expected the name of a ReadWriteMany StorageClass, got \"EFS\". Run `kubectl get storageclass` (EFS: efs.csi.aws.com, FSx for Lustre: fsx.csi.aws.com)."],
];

const nodeGroupsAccepted: Accepted[] = [
    ["nodeGroups[0].modelCache", { kind: "node-local", hostPath: "/mnt/k8s-disks/0/model-cache" }],
    ["nodeGroups[0].capacityType", "SPOT"],
    ["nodeGroups[0].diskSizeGiB", 20],
];

const apiKeysRefusals: Refusal[] = [
    ["apiKeys", "x", "apiKeys: expected a list of API keys, got \"x\". Write it as a YAML list (- item)."],
    ["apiKeys[0]", "x", "apiKeys[0]: expected a mapping of API key settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["apiKeys[0].name", "Team_A", "apiKeys[0].name: expected a DNS-1123 label (lowercase letters, digits and '-', ≤ 63), got \"Team_A\". Rename the key, e.g. team-a."],
    ["apiKeys[0].services", [], "apiKeys[0].services: expected at least one service name, got []. List the services this key may call, or [\"*\"] for all."],
    ["apiKeys[0].services", "*", "apiKeys[0].services: expected a list of service names, got \"*\". Write it as a YAML list (- item)."],
    ["apiKeys[0].services", ["Chat"], "apiKeys[0].services[0]: expected a service name or \"*\", got \"Chat\". List service names, or [\"*\"] for all services."],
    ["apiKeys[0].services", ["chat-"], "apiKeys[0].services[0]: expected a service name or \"*\", got \"chat-\". List service names, or [\"*\"] for all services."],
    ["apiKeys[0].services", ["1chat"], "apiKeys[0].services[0]: expected a service name or \"*\", got \"1chat\". List service names, or [\"*\"] for all services."],
    ["apiKeys[0].services", ["x*"], "apiKeys[0].services[0]: expected a service name or \"*\", got \"x*\". List service names, or [\"*\"] for all services."],
    ["apiKeys[0].services", ["*x"], "apiKeys[0].services[0]: expected a service name or \"*\", got \"*x\". List service names, or [\"*\"] for all services."],
    ["apiKeys[0].services", ["chat", "c", "c-1"], ["apiKeys[0].services[1]: names no service, got \"c\". Use one of \"chat\" or \"*\".", "apiKeys[0].services[2]: names no service, got \"c-1\". Use one of \"chat\" or \"*\"."]],
    ["apiKeys[0].rotation", -1, "apiKeys[0].rotation: expected a whole number ≥ 0, got -1. Bump it (0, 1, 2, …) to issue a new key value."],
    ["apiKeys[0].requestsPerMinute", 0, "apiKeys[0].requestsPerMinute: expected a whole number from 1 to 1000000, got 0. Set the requests per minute this key may make, or leave it out for gateway.defaultRequestsPerMinute."],
    ["apiKeys[0].requestsPerMinute", 1000001, "apiKeys[0].requestsPerMinute: expected a whole number from 1 to 1000000, got 1000001. Set the requests per minute this key may make, or leave it out for gateway.defaultRequestsPerMinute."],
    ["apiKeys[0].previousKeyValidUntil", "tomorrow", "apiKeys[0].previousKeyValidUntil: expected a UTC time such as 2026-12-01T12:00:00Z, got \"tomorrow\". Give the end of the grace period in UTC (…Z)."],
];

const gatewayRefusals: Refusal[] = [
    ["gateway.replicas", "2", 'gateway.replicas: expected a whole number from 1 to 100, got "2". Run at least one Envoy pod (2 for no downtime on node loss).'],
    ["gateway", "x", "gateway: expected a mapping of gateway settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["gateway.replicas", 0, "gateway.replicas: expected a whole number from 1 to 100, got 0. Run at least one Envoy pod (2 for no downtime on node loss)."],
    ["gateway.replicas", 101, "gateway.replicas: expected a whole number from 1 to 100, got 101. Run at least one Envoy pod (2 for no downtime on node loss)."],
    ["gateway.serviceType", "Ingress", "gateway.serviceType: expected one of \"LoadBalancer\", \"NodePort\", \"ClusterIP\", got \"Ingress\". Pick how the gateway is exposed."],
    ["gateway.hostname", "API.example.com", "gateway.hostname: expected a DNS host name such as api.example.com, got \"API.example.com\". Give the host clients will call."],
    ["gateway.tls", "x", "gateway.tls: expected a mapping of TLS settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["gateway.tls", { secretName: "Bad" }, "gateway.tls.secretName: expected the name of a kubernetes.io/tls Secret, got \"Bad\". Create the Secret in the namespace and name it here."],
    ["gateway.maxRequestBodyMiB", 0, "gateway.maxRequestBodyMiB: expected a whole number from 1 to 1024, got 0. Set the largest request body in MiB (images in vision requests need tens)."],
    ["gateway.maxRequestBodyMiB", 1025, "gateway.maxRequestBodyMiB: expected a whole number from 1 to 1024, got 1025. Set the largest request body in MiB (images in vision requests need tens)."],
    ["gateway.image", "", "gateway.image: expected a container image reference, got \"\". Give an Envoy image with a tag or digest."],
    ["gateway.defaultRequestsPerMinute", 0, "gateway.defaultRequestsPerMinute: expected a whole number from 1 to 1000000, got 0. Set the requests per minute of keys without their own limit."],
    ["gateway.scheme", "public", "gateway.scheme: expected one of \"internal\", \"internet-facing\", got \"public\". Pick \"internal\" (reachable from the VPC) or \"internet-facing\"."],
    ["gateway.certificateArn", "arn:x", "gateway.certificateArn: expected an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), got \"arn:x\". Request or import the certificate in ACM and give its ARN."],
    ["gateway.loadBalancerSourceRanges", ["10.0.0.0/8 and more"], 'gateway.loadBalancerSourceRanges[0]: expected an IPv4 CIDR such as 203.0.113.0/24, got "10.0.0.0/8 and more". List the client networks in CIDR notation.'],
    ["gateway.loadBalancerSourceRanges", ["10.0.0.0"], "gateway.loadBalancerSourceRanges[0]: expected an IPv4 CIDR such as 203.0.113.0/24, got \"10.0.0.0\". List the client networks in CIDR notation."],
    ["gateway.loadBalancerSourceRanges", "10.0.0.0/8", "gateway.loadBalancerSourceRanges: expected a list of CIDR blocks, got \"10.0.0.0/8\". Write it as a YAML list (- item)."],
];

const topLevelRefusals: Refusal[] = [
    ["autoscaling", { prometheusUrl: "xhttp://p:9090" }, 'autoscaling.prometheusUrl: expected an http(s) URL of a Prometheus server, got "xhttp://p:9090". Give the URL KEDA queries, e.g. http://prometheus-operated.monitoring.svc:9090.'],
    ["owner", "U", "owner: expected a DNS-1123 label such as u-8105f7322477, got \"U\". Use lowercase letters, digits and '-'."],
    ["owner", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "owner: expected a DNS-1123 label such as u-8105f7322477, got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\". Use lowercase letters, digits and '-'."],
    ["namespace", "NS", "namespace: expected a Kubernetes namespace name, got \"NS\". Use lowercase letters, digits and '-', ≤ 63."],
    ["services", "x", "services: expected a list of services, got \"x\". Write it as a YAML list (- item)."],
    ["services[0]", "x", "services[0]: expected a mapping of service settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["keyStore", "x", "keyStore: expected a mapping of key store settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["keyStore", { awsSecretsManager: "yes" }, "keyStore.awsSecretsManager: expected true or false, got \"yes\". True also keeps the keys in AWS Secrets Manager (EKS stacks only)."],
    ["metricsScraper", "x", "metricsScraper: expected a mapping of metrics scraper settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["metricsScraper", {}, "metricsScraper.podLabels: is missing; expected a mapping of labels. The labels of the scraper's pods, e.g. app.kubernetes.io/name: prometheus."],
    ["metricsScraper", { podLabels: "x" }, "metricsScraper.podLabels: expected a mapping of labels, got \"x\". The labels of the scraper's pods, e.g. app.kubernetes.io/name: prometheus."],
    ["metricsScraper", { podLabels: { "Bad Key": "x" } }, "metricsScraper.podLabels.Bad Key: has a bad key; expected a label key. The labels of the scraper's pods, e.g. app.kubernetes.io/name: prometheus."],
    ["metricsScraper", { podLabels: { a: "bad value" } }, "metricsScraper.podLabels.a: expected a label value, got \"bad value\". The labels of the scraper's pods, e.g. app.kubernetes.io/name: prometheus."],
    ["metricsScraper", { namespaceLabels: { "-a": "x" }, podLabels: { a: "x" } }, "metricsScraper.namespaceLabels.-a: has a bad key; expected a label key. The labels of the scraper's namespace, e.g. kubernetes.io/metadata.name: monitoring."],
    ["metricsScraper", { podLabels: { a: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } }, "metricsScraper.podLabels.a: expected a label value, got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\". The labels of the scraper's pods, e.g. app.kubernetes.io/name: prometheus."],
    ["autoscaling", "x", "autoscaling: expected a mapping of autoscaling settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["autoscaling", { keda: "helm" }, "autoscaling.keda: expected one of \"install\", \"existing\", got \"helm\". Install deploys the pinned KEDA release; existing uses the KEDA the cluster already runs."],
    ["autoscaling", { prometheusUrl: "prometheus:9090" }, "autoscaling.prometheusUrl: expected an http(s) URL of a Prometheus server, got \"prometheus:9090\". Give the URL KEDA queries, e.g. http://prometheus-operated.monitoring.svc:9090."],
    ["autoscaling", { prometheusUrl: "http://a b" }, "autoscaling.prometheusUrl: expected an http(s) URL of a Prometheus server, got \"http://a b\". Give the URL KEDA queries, e.g. http://prometheus-operated.monitoring.svc:9090."],
    ["monitoring", "x", "monitoring: expected a mapping of monitoring settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["monitoring", { prometheusOperator: "y" }, "monitoring.prometheusOperator: expected true or false, got \"y\". True creates PodMonitors for vLLM and the gateway; it needs the Prometheus Operator's CRDs in the cluster."],
    ["monitoring", { grafanaDashboard: "y" }, "monitoring.grafanaDashboard: expected true or false, got \"y\". True ships the Grafana dashboard as a ConfigMap for Grafana's sidecar."],
    ["modelAccess", "x", "modelAccess: expected a mapping of model access settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["modelAccess", { s3: "x" }, "modelAccess.s3: expected a mapping of S3 access settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["modelAccess", { s3: { mode: "iam" } }, "modelAccess.s3.mode: expected one of \"pod-identity\", \"node-role\", \"secret\", got \"iam\". Pick pod-identity (EKS Pod Identity), node-role (the node group's role) or secret (AWS keys in a Secret of yours)."],
    ["modelAccess", { s3: {} }, "modelAccess.s3.mode: is missing; expected one of \"pod-identity\", \"node-role\", \"secret\". Pick pod-identity (EKS Pod Identity), node-role (the node group's role) or secret (AWS keys in a Secret of yours)."],
    ["modelAccess", { s3: { mode: "secret", secretName: "Bad" } }, "modelAccess.s3.secretName: expected the name of a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, got \"Bad\". Create the Secret in the namespace and name it here."],
    ["playground", "x", "playground: expected a mapping of playground settings, got \"x\". Write it as a YAML mapping (key: value)."],
    ["playground", { enabled: "y" }, "playground.enabled: expected true or false, got \"y\". True deploys the web playground (Open WebUI) with its own API key, reachable by port-forward."],
    ["playground", { services: [] }, "playground.services: expected at least one service name, got []. List the services this key may call, or [\"*\"] for all."],
    ["huggingFaceToken", "", "huggingFaceToken: expected a Hugging Face token, got \"\". Set it as a secret: pulumi config set --secret huggingFaceToken hf_…."],
];

const topLevelAccepted: Accepted[] = [
    ["metricsScraper", { podLabels: { "a/app": "v1.2-beta" } }],
    ["metricsScraper", { podLabels: { "example.com/app": "v", a: "", "A_b.c": "Z-9" } }],
    ["autoscaling", { prometheusUrl: "https://p.example.com:9090/x" }],
];
