import { beforeAll, describe, expect, it } from "vitest";
import { AwsAccountModel, newAwsAccount } from "./helpers/awsModel";
import { RegisteredResource } from "./helpers/mocks";
import { PlatformRun, runStack, stackConfig } from "./helpers/platform";

/**
 * The shipped dev stack's AWS wiring under mocks that model the account: every value a
 * resource takes from another (subnets from the VPC lookup, role ARNs, the cluster's
 * endpoint and CA, service IDs) must be the one the modelled provider produced.
 */

let account: AwsAccountModel;
let run: PlatformRun;
const loadBalancer = "k8s-modelser-modelgat-0a1b2c3d4e-0123456789abcdef.elb.us-east-1.amazonaws.com";

beforeAll(async () => {
    account = newAwsAccount();
    run = await runStack(stackConfig("dev"), { stack: "dev", aws: account, cluster: { loadBalancerIngress: { hostname: loadBalancer } } });
});

function one(type: string, name: string): RegisteredResource {
    const found = run.registered.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).toHaveLength(1);
    return found[0];
}

const cluster = () => one("aws:eks/cluster:Cluster", "model-services-eks-cluster");
const defaultVpcSubnets = () => account.vpcs.find((v) => v.isDefault)!.subnets.map((s) => s.id);

describe("the dev stack's AWS wiring", () => {
    it("creates the cluster in the default VPC's subnets, found by the VPC and subnet lookups", () => {
        expect(cluster().inputs.name).toBe("model-services-dev");
        expect(cluster().inputs.vpcConfig.subnetIds).toEqual(defaultVpcSubnets());
        expect(cluster().inputs.roleArn).toBe(one("aws:iam/role:Role", "model-services-eks-role").outputs.arn);
        expect(cluster().inputs.tags).toEqual({ "model-services.io/part-of": "model-services" });
    });

    it.each(["gpu-l4", "gpu-l40s"])("node group %s joins the cluster in its subnets with a least-privilege worker role (the CNI's permissions go to aws-node through Pod Identity)", (group) => {
        const nodes = one("aws:eks/nodeGroup:NodeGroup", `model-services-${group}-nodes`);
        const role = one("aws:iam/role:Role", `model-services-${group}-role`);
        expect(nodes.inputs.subnetIds).toEqual(defaultVpcSubnets());
        expect(nodes.inputs.clusterName).toBe(cluster().outputs.name);
        expect(nodes.inputs.nodeRoleArn).toBe(role.outputs.arn);
        expect(nodes.inputs.nodeGroupNamePrefix).toBe(`${group}-`);
        expect(nodes.outputs.nodeGroupName).toMatch(new RegExp(`^${group}-\\d{26}$`));
        const attachments = run.registered.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.startsWith(`model-services-${group}-`));
        expect(attachments.map((a) => a.inputs)).toEqual(
            ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"].map((policy) => ({
                role: role.outputs.name,
                policyArn: `arn:aws:iam::aws:policy/${policy}`,
            })),
        );
    });

    it("tags each node group and its role with the generated IDs of the services placed on it", () => {
        const idOf = (service: string) => run.outputs.services.find((s) => s.name === service).serviceId;
        const expected = {
            "gpu-l4": { "model-services.io/service/test": idOf("test") },
            "gpu-l40s": { "model-services.io/service/vision": idOf("vision"), "model-services.io/service/qwen-32b": idOf("qwen-32b") },
        };
        for (const [group, serviceTags] of Object.entries(expected)) {
            const tags = { "model-services.io/node-group": group, "model-services.io/part-of": "model-services", ...serviceTags };
            expect(one("aws:eks/nodeGroup:NodeGroup", `model-services-${group}-nodes`).inputs.tags).toEqual(tags);
            expect(one("aws:iam/role:Role", `model-services-${group}-role`).inputs.tags).toEqual(tags);
        }
        // The IDs are the RandomIds' generated values.
        const generated = run.registered.filter((r) => r.type === "random:index/randomId:RandomId").map((r) => `ms-${r.outputs.hex}`);
        expect(Object.values(expected).flatMap((t) => Object.values(t)).sort()).toEqual(generated.sort());
    });

    it("connects the Kubernetes provider to the created cluster's endpoint and CA", () => {
        const [provider] = run.registered.filter((r) => r.type === "pulumi:providers:kubernetes");
        const kubeconfig = JSON.parse(provider.inputs.kubeconfig);
        expect(kubeconfig.clusters).toEqual([
            { name: "model-services-dev", cluster: { server: cluster().outputs.endpoint, "certificate-authority-data": cluster().outputs.certificateAuthority.data } },
        ]);
        expect(kubeconfig.users[0].user.exec.args).toEqual(["eks", "get-token", "--cluster-name", "model-services-dev", "--output", "json"]);
    });

    it("keeps a copy of the keys in the Secrets Manager secret it created", () => {
        const secret = one("aws:secretsmanager/secret:Secret", "model-services-keys-aws");
        const version = one("aws:secretsmanager/secretVersion:SecretVersion", "model-services-keys-aws-version");
        expect(version.inputs.secretId).toBe(secret.id);
        expect(secret.id).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:${account.accountId}:secret:model-services-keys-aws-[0-9a-f]{7}-[0-9a-f]{6}$`));
        expect(JSON.parse(version.inputs.secretString)).toEqual(run.outputs.apiKeys);
        expect(version.secretPaths).toEqual(["secretString"]);
    });

    it("serves the endpoint at the load balancer the cluster assigned", () => {
        expect(run.outputs.endpoint).toBe(`http://${loadBalancer}/v1`);
    });
});
